//! JNI binding (feature `jni`): the native half of `com.facelic.NativeVerifier`.
//!
//! The Java class is package-private and owned by `com.facelic.FaceLicense`,
//! which turns results into `VerifiedLicense` objects and
//! `LicenseException(code, message)`. Here every entry point runs inside
//! `EnvUnowned::with_env`, which catches panics: a panic or JNI failure
//! becomes a `java.lang.RuntimeException`, never an unwind into the JVM.
//! Null arguments raise `NullPointerException`, a bad keyring or device
//! attribute `IllegalArgumentException`.
//!
//! `verify` returns a `String[]`: on success `{"0", serial, kind, product,
//! features, customerId, customerName, orderId, issuedAt, notBefore,
//! notAfter, device, package, keyId}` (times as Unix seconds, absent values
//! as ""), on refusal `{code, name, message}`.

#![allow(unsafe_code)]
// The exported functions are found by the JVM by name, not through Rust paths.
#![allow(unreachable_pub)]

use jni::errors::ThrowRuntimeExAndDefault;
use jni::objects::{JByteArray, JClass, JObjectArray, JString};
use jni::strings::JNIString;
use jni::sys::jlong;
use jni::{Env, EnvUnowned, jni_str};

use crate::{ClockGuard, Context, DeviceCode, Keyring, Timestamp, Verifier};

type JniResult<T> = jni::errors::Result<T>;

fn throw_npe(env: &mut Env<'_>, what: &str) -> JniResult<()> {
    env.throw_new(
        jni_str!("java/lang/NullPointerException"),
        JNIString::new(format!("{what} is null")),
    )
}

fn throw_illegal(env: &mut Env<'_>, message: String) -> JniResult<()> {
    env.throw_new(
        jni_str!("java/lang/IllegalArgumentException"),
        JNIString::new(message),
    )
}

/// A Java string as a Rust string; `None` for null.
fn opt_string(env: &Env<'_>, s: &JString<'_>) -> JniResult<Option<String>> {
    if s.is_null() {
        return Ok(None);
    }
    Ok(Some(String::from(s.mutf8_chars(env)?)))
}

fn string_array<'local>(
    env: &mut Env<'local>,
    items: &[String],
) -> JniResult<JObjectArray<'local, JString<'local>>> {
    let empty = JString::from_str(env, "")?;
    let array = JObjectArray::<JString>::new(env, items.len(), &empty)?;
    for (i, item) in items.iter().enumerate() {
        let s = JString::from_str(env, item)?;
        array.set_element(env, i, &s)?;
    }
    Ok(array)
}

/// `static native long create(String keyringPem)`: a verifier handle (free it with `destroy`).
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_facelic_NativeVerifier_create<'caller>(
    mut unowned: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    keyring_pem: JString<'caller>,
) -> jlong {
    unowned
        .with_env(|env| -> JniResult<jlong> {
            let Some(pem) = opt_string(env, &keyring_pem)? else {
                throw_npe(env, "keyring")?;
                return Ok(0);
            };
            match Keyring::from_pem(&pem) {
                Ok(ring) => Ok(Box::into_raw(Box::new(Verifier::new(ring))) as jlong),
                Err(e) => {
                    throw_illegal(env, format!("keyring: {e}"))?;
                    Ok(0)
                }
            }
        })
        .resolve::<ThrowRuntimeExAndDefault>()
}

/// `static native void destroy(long handle)`: frees a handle (0 is ignored).
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_facelic_NativeVerifier_destroy<'caller>(
    mut unowned: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    handle: jlong,
) {
    unowned
        .with_env(|_env| -> JniResult<()> {
            if handle != 0 {
                // SAFETY: the Java owner passes a handle from `create` exactly once.
                drop(unsafe { Box::from_raw(handle as *mut Verifier) });
            }
            Ok(())
        })
        .resolve::<ThrowRuntimeExAndDefault>()
}

/// `static native String[] verify(long handle, String license, long nowUnix,
/// String deviceCode, String packageName, byte[] certSha256, String clockStatePath)`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_com_facelic_NativeVerifier_verify<'caller>(
    mut unowned: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    handle: jlong,
    license: JString<'caller>,
    now_unix: jlong,
    device_code: JString<'caller>,
    package_name: JString<'caller>,
    cert_sha256: JByteArray<'caller>,
    clock_state_path: JString<'caller>,
) -> JObjectArray<'caller, JString<'caller>> {
    unowned
        .with_env(
            |env| -> JniResult<JObjectArray<'caller, JString<'caller>>> {
                if handle == 0 {
                    throw_npe(env, "verifier handle")?;
                    return Ok(JObjectArray::default());
                }
                // SAFETY: a live handle from `create`; the Java owner keeps it alive during the call.
                let verifier = unsafe { &*(handle as *const Verifier) };
                let Some(text) = opt_string(env, &license)? else {
                    throw_npe(env, "license text")?;
                    return Ok(JObjectArray::default());
                };
                let refuse = |env: &mut Env<'caller>, code: u32, name: &str, message: String| {
                    string_array(env, &[code.to_string(), name.to_owned(), message])
                };
                let Some(now) = Timestamp::from_unix(now_unix) else {
                    return refuse(env, 1, "malformed", "time out of range".into());
                };
                let mut context = Context::at(now);
                let device = opt_string(env, &device_code)?;
                if let Some(code) = &device {
                    match code.parse::<DeviceCode>() {
                        Ok(code) => context = context.device(code),
                        Err(e) => {
                            return refuse(env, 7, "wrong-device", format!("device code: {e}"));
                        }
                    }
                }
                let package = opt_string(env, &package_name)?;
                if let Some(p) = &package {
                    context = context.package(p.clone());
                }
                if !cert_sha256.is_null() {
                    let bytes = env.convert_byte_array(&cert_sha256)?;
                    match <[u8; 32]>::try_from(bytes.as_slice()) {
                        Ok(digest) => context = context.signing_cert_sha256(digest),
                        Err(_) => {
                            throw_illegal(env, "certSha256 must be 32 bytes".into())?;
                            return Ok(JObjectArray::default());
                        }
                    }
                }
                let result = match opt_string(env, &clock_state_path)? {
                    Some(path) => verifier.verify_guarded(
                        text.as_bytes(),
                        &context,
                        &ClockGuard::for_app(path, package.as_deref(), device.as_deref()),
                    ),
                    None => verifier.verify(text.as_bytes(), &context),
                };
                match result {
                    Ok(v) => {
                        let l = v.license();
                        let fields = [
                            "0".to_owned(),
                            l.serial.to_string(),
                            l.kind.to_string(),
                            l.product.clone(),
                            l.features.to_string(),
                            l.customer_id.clone(),
                            l.customer_name.clone(),
                            l.order_id.clone(),
                            l.issued_at.unix().to_string(),
                            l.not_before.unix().to_string(),
                            l.not_after
                                .map(|t| t.unix().to_string())
                                .unwrap_or_default(),
                            l.device().map(ToString::to_string).unwrap_or_default(),
                            l.package().unwrap_or_default().to_owned(),
                            v.key_id().to_string(),
                        ];
                        string_array(env, &fields)
                    }
                    Err(e) => refuse(env, e.code(), e.name(), e.to_string()),
                }
            },
        )
        .resolve::<ThrowRuntimeExAndDefault>()
}

/// `static native String deviceCode(String[] names, String[] values)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_facelic_NativeVerifier_deviceCode<'caller>(
    mut unowned: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    names: JObjectArray<'caller, JString<'caller>>,
    values: JObjectArray<'caller, JString<'caller>>,
) -> JString<'caller> {
    unowned
        .with_env(|env| -> JniResult<JString<'caller>> {
            if names.is_null() || values.is_null() {
                throw_npe(env, "attribute names or values")?;
                return Ok(JString::default());
            }
            let count = names.len(env)?;
            if values.len(env)? != count {
                throw_illegal(env, "names and values differ in length".into())?;
                return Ok(JString::default());
            }
            let mut attrs = Vec::with_capacity(count);
            for i in 0..count {
                let name = names.get_element(env, i)?;
                let value = values.get_element(env, i)?;
                match (opt_string(env, &name)?, opt_string(env, &value)?) {
                    (Some(n), Some(v)) => attrs.push((n, v)),
                    _ => {
                        throw_npe(env, &format!("attribute {i}"))?;
                        return Ok(JString::default());
                    }
                }
            }
            match DeviceCode::derive(&attrs) {
                Ok(code) => JString::from_str(env, code.to_string()),
                Err(e) => {
                    throw_illegal(env, e.to_string())?;
                    Ok(JString::default())
                }
            }
        })
        .resolve::<ThrowRuntimeExAndDefault>()
}
