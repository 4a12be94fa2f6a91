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
use jni::objects::JValue;
use jni::objects::{JByteArray, JClass, JObjectArray, JString};
use jni::strings::JNIString;
use jni::sys::jlong;
use jni::{Env, EnvUnowned, jni_sig, jni_str};

use crate::Verifier;
use crate::binding::{self, Request};

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

/// Throws `com.facelic.LicenseException(code, name, message)`.
fn throw_license_exception(env: &mut Env<'_>, refusal: &binding::Refusal) -> JniResult<()> {
    let name = JString::from_str(env, refusal.code.name())?;
    let message = JString::from_str(env, &refusal.message)?;
    let exception = env.new_object(
        jni_str!("com/facelic/LicenseException"),
        jni_sig!("(ILjava/lang/String;Ljava/lang/String;)V"),
        &[
            JValue::Int(refusal.code.code()),
            JValue::Object(&name),
            JValue::Object(&message),
        ],
    )?;
    let throwable = env.cast_local::<jni::objects::JThrowable>(exception)?;
    env.throw(&throwable)
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
            match binding::verifier(&pem) {
                Ok(verifier) => Ok(Box::into_raw(Box::new(verifier)) as jlong),
                Err(refusal) => {
                    throw_license_exception(env, &refusal)?;
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
                let device = opt_string(env, &device_code)?;
                let package = opt_string(env, &package_name)?;
                let clock_state = opt_string(env, &clock_state_path)?;
                let certs = if cert_sha256.is_null() {
                    None
                } else {
                    Some(env.convert_byte_array(&cert_sha256)?)
                };
                let request = Request {
                    now_unix,
                    device: device.as_deref(),
                    package: package.as_deref(),
                    certs_sha256: certs.as_deref(),
                    clock_state: clock_state.as_deref(),
                };
                let result = binding::verify(verifier, text.as_bytes(), &request);
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
                    Err(refusal) => string_array(
                        env,
                        &[
                            refusal.code.code().to_string(),
                            refusal.code.name().to_owned(),
                            refusal.message,
                        ],
                    ),
                }
            },
        )
        .resolve::<ThrowRuntimeExAndDefault>()
}

/// `static native long setRevocationList(long handle, String list)`: checks
/// the list against the handle's keyring and applies it; returns its
/// `issued-at` (Unix seconds), or throws `LicenseException` with the list's
/// code (the handle then keeps the list it had).
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_facelic_NativeVerifier_setRevocationList<'caller>(
    mut unowned: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    handle: jlong,
    list: JString<'caller>,
) -> jlong {
    unowned
        .with_env(|env| -> JniResult<jlong> {
            if handle == 0 {
                throw_npe(env, "verifier handle")?;
                return Ok(0);
            }
            let Some(text) = opt_string(env, &list)? else {
                throw_npe(env, "revocation list")?;
                return Ok(0);
            };
            // SAFETY: a live handle from `create`, used by this thread alone
            // (FaceLicense makes one per call).
            let verifier = unsafe { &mut *(handle as *mut Verifier) };
            match binding::set_revocation_list(verifier, text.as_bytes()) {
                Ok(issued_at) => Ok(issued_at),
                Err(refusal) => {
                    throw_license_exception(env, &refusal)?;
                    Ok(0)
                }
            }
        })
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
            // Checked before the loop, which makes two local references per
            // attribute (freed as it goes): the JVM guarantees only 16.
            if count > crate::device::MAX_ATTRS {
                throw_illegal(
                    env,
                    format!("at most {} device attributes", crate::device::MAX_ATTRS),
                )?;
                return Ok(JString::default());
            }
            let mut attrs = Vec::with_capacity(count);
            for i in 0..count {
                let name = names.get_element(env, i)?;
                let value = values.get_element(env, i)?;
                let pair = (opt_string(env, &name)?, opt_string(env, &value)?);
                env.delete_local_ref(name);
                env.delete_local_ref(value);
                match pair {
                    (Some(n), Some(v)) => attrs.push((n, v)),
                    _ => {
                        throw_npe(env, &format!("attribute {i}"))?;
                        return Ok(JString::default());
                    }
                }
            }
            match binding::device_code(&attrs) {
                Ok(code) => JString::from_str(env, code.to_string()),
                Err(refusal) => {
                    throw_illegal(env, refusal.message)?;
                    Ok(JString::default())
                }
            }
        })
        .resolve::<ThrowRuntimeExAndDefault>()
}
