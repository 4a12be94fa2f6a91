package com.facelic;

import android.annotation.SuppressLint;
import android.content.Context;
import android.content.pm.PackageInfo;
import android.content.pm.PackageManager;
import android.content.pm.Signature;
import android.content.pm.SigningInfo;
import android.media.MediaDrm;
import android.os.Build;
import android.provider.Settings;

import androidx.annotation.NonNull;
import androidx.annotation.Nullable;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Checks the app's face-SDK license, offline.
 *
 * <pre>
 * // Off the main thread: verification reads PackageManager and Settings,
 * // may open MediaDrm (tens of milliseconds, sometimes seconds on a cold
 * // DRM service) and syncs the clock guard's file.
 * FaceLicense.verifyAsync(context, licenseText, keyringPem, clockState,
 *         IdentityProfile.ANDROID_ID, executor, callback);
 * </pre>
 *
 * The package name and the signing certificates are read from the
 * {@link Context}, and the device code is computed here (only for licenses
 * bound to a device), so the app cannot pass the wrong ones. Every refusal
 * and every failure, native ones included, is a {@link LicenseException}
 * with a stable code.
 */
public final class FaceLicense {
    /** The Widevine DRM scheme (MediaDrm). */
    private static final UUID WIDEVINE = new UUID(0xEDEF8BA979D64ACEL, 0xA3C827DCD51D21EDL);

    /** The profile of the overloads that take none: what 0.1 computed on devices with Widevine. */
    public static final IdentityProfile DEFAULT_PROFILE = IdentityProfile.ANDROID_ID_WIDEVINE;

    /** Codes read in full, per profile. A failed or partial read is never cached. */
    private static final Map<IdentityProfile, String> CODES = new ConcurrentHashMap<>();

    private FaceLicense() {}

    /** The result of {@link #verifyAsync}. */
    public interface Callback {
        /** The license verified. */
        void onVerified(@NonNull VerifiedLicense license);

        /** The license was refused, or could not be checked (see the code). */
        void onRefused(@NonNull LicenseException error);
    }

    /**
     * Verifies {@code licenseText} against {@code keyring} (the PEM the
     * license desk exports) for this app, now, with {@link #DEFAULT_PROFILE}
     * and no clock guard. Blocking: call it off the main thread.
     *
     * @throws LicenseException when the license is refused (see its code)
     * @throws NullPointerException when an argument is null
     */
    @NonNull
    public static VerifiedLicense verify(@NonNull Context context, @NonNull String licenseText,
            @NonNull String keyring) throws LicenseException {
        return verify(context, licenseText, keyring, null, DEFAULT_PROFILE);
    }

    /**
     * Like {@link #verify(Context, String, String)}, with the clock-rollback
     * guard keeping its state in {@code clockState} (e.g.
     * {@code new File(context.getNoBackupFilesDir(), "facelic-clock")}).
     */
    @NonNull
    public static VerifiedLicense verify(@NonNull Context context, @NonNull String licenseText,
            @NonNull String keyring, @Nullable File clockState) throws LicenseException {
        return verify(context, licenseText, keyring, clockState, DEFAULT_PROFILE);
    }

    /**
     * Verifies for this app and device, now, with the device identity of
     * {@code profile} (read only when the license is bound to a device) and,
     * when {@code clockState} is given, the clock-rollback guard. Blocking:
     * call it off the main thread.
     */
    @NonNull
    public static VerifiedLicense verify(@NonNull Context context, @NonNull String licenseText,
            @NonNull String keyring, @Nullable File clockState, @NonNull IdentityProfile profile)
            throws LicenseException {
        return verifyAt(context, licenseText, keyring, null, clockState, profile, System.currentTimeMillis() / 1000L);
    }

    /**
     * Like {@link #verify(Context, String, String, File, IdentityProfile)},
     * also refusing licenses that {@code revocationList} (the text the
     * license desk exports with {@code facelic crl export}) revokes, by
     * serial or by signing key ({@link LicenseException#REVOKED},
     * {@link LicenseException#SIGNING_KEY_REVOKED}). A list that does not
     * verify is never used: this throws the list's own code (for example
     * {@link LicenseException#BAD_SIGNATURE}) and checks nothing. Check a
     * downloaded list with {@link #checkRevocationList} before you keep it.
     */
    @NonNull
    public static VerifiedLicense verify(@NonNull Context context, @NonNull String licenseText,
            @NonNull String keyring, @NonNull String revocationList, @Nullable File clockState,
            @NonNull IdentityProfile profile) throws LicenseException {
        Objects.requireNonNull(revocationList, "revocationList");
        return verifyAt(context, licenseText, keyring, revocationList, clockState, profile,
                System.currentTimeMillis() / 1000L);
    }

    /**
     * Checks a revocation list (every signed list in the text) against
     * {@code keyring}, and returns its issued-at (Unix seconds). Use
     * {@link #checkRevocationList(String, String, String)} for a download
     * once the app keeps a list.
     *
     * @throws LicenseException with the list's code when it does not verify
     */
    public static long checkRevocationList(@NonNull String revocationList, @NonNull String keyring)
            throws LicenseException {
        Objects.requireNonNull(revocationList, "revocationList");
        Objects.requireNonNull(keyring, "keyring");
        NativeVerifier.ensureLoaded();
        return withVerifier(keyring, handle -> NativeVerifier.setRevocationList(handle, revocationList));
    }

    /**
     * Checks a downloaded revocation list against {@code keyring} and
     * against the list the app keeps ({@code stored}, checked too): the
     * download must verify whole and be at least as new as {@code stored}
     * for every signer of it, else it is refused with
     * {@link LicenseException#REVOCATION_LIST_OUTDATED} (a replayed or
     * stripped download). Returns the download's issued-at (Unix seconds);
     * keep it in place of {@code stored} when this returns.
     *
     * @throws LicenseException with the code of whichever list fails
     */
    public static long checkRevocationList(@NonNull String downloaded, @NonNull String stored,
            @NonNull String keyring) throws LicenseException {
        Objects.requireNonNull(downloaded, "downloaded");
        Objects.requireNonNull(stored, "stored");
        Objects.requireNonNull(keyring, "keyring");
        NativeVerifier.ensureLoaded();
        return withVerifier(keyring, handle -> {
            NativeVerifier.setRevocationList(handle, stored);
            return NativeVerifier.setRevocationList(handle, downloaded);
        });
    }

    /**
     * {@link #verify(Context, String, String, File, IdentityProfile)} on
     * {@code executor}, with the result passed to {@code callback} (on the
     * executor's thread). Never throws for a refusal.
     */
    public static void verifyAsync(@NonNull final Context context, @NonNull final String licenseText,
            @NonNull final String keyring, @Nullable final File clockState, @NonNull final IdentityProfile profile,
            @NonNull Executor executor, @NonNull final Callback callback) {
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(callback, "callback");
        executor.execute(new Runnable() {
            @Override
            public void run() {
                VerifiedLicense license;
                try {
                    license = verify(context, licenseText, keyring, clockState, profile);
                } catch (LicenseException e) {
                    callback.onRefused(e);
                    return;
                } catch (RuntimeException e) {
                    callback.onRefused(internal(e));
                    return;
                }
                callback.onVerified(license);
            }
        });
    }

    /** The verification at an explicit time (Unix seconds); for tests. */
    @NonNull
    static VerifiedLicense verifyAt(@NonNull Context context, @NonNull String licenseText,
            @NonNull String keyring, @Nullable String revocationList, @Nullable File clockState,
            @NonNull IdentityProfile profile, long nowUnix) throws LicenseException {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(licenseText, "licenseText");
        Objects.requireNonNull(keyring, "keyring");
        Objects.requireNonNull(profile, "profile");
        NativeVerifier.ensureLoaded();
        String packageName = context.getPackageName();
        byte[] certs = signingCertificateDigests(context);
        String state = clockState == null ? null : clockState.getAbsolutePath();
        return withVerifier(keyring, handle -> {
            if (revocationList != null) {
                NativeVerifier.setRevocationList(handle, revocationList);
            }
            // A platform license needs no device identity: try without it
            // first, and read the identity only for a device-bound license.
            String[] r = NativeVerifier.verify(handle, licenseText, nowUnix, null, packageName, certs, state);
            if (Integer.toString(LicenseException.WRONG_DEVICE).equals(r[0])) {
                String device = deviceCode(context, profile);
                r = NativeVerifier.verify(handle, licenseText, nowUnix, device, packageName, certs, state);
            }
            if ("0".equals(r[0])) {
                return VerifiedLicense.fromNative(r);
            }
            throw new LicenseException(Integer.parseInt(r[0]), r[1], r[2]);
        });
    }

    /** Work done with a native verifier handle. */
    private interface WithHandle<T> {
        T run(long handle) throws LicenseException;
    }

    /**
     * Runs {@code work} with a native verifier for {@code keyring} and frees
     * it afterwards; any unexpected failure becomes {@code internal-error}.
     * The library must be loaded ({@link NativeVerifier#ensureLoaded}).
     */
    private static <T> T withVerifier(String keyring, WithHandle<T> work) throws LicenseException {
        try {
            long handle = NativeVerifier.create(keyring);
            try {
                return work.run(handle);
            } finally {
                NativeVerifier.destroy(handle);
            }
        } catch (LicenseException e) {
            throw e;
        } catch (RuntimeException e) {
            throw internal(e);
        }
    }

    private static LicenseException internal(RuntimeException e) {
        return new LicenseException(LicenseException.INTERNAL_ERROR, "internal-error",
                "unexpected failure in the license check: " + e);
    }

    /** This device's code under {@link #DEFAULT_PROFILE}. */
    @NonNull
    public static String deviceCode(@NonNull Context context) throws LicenseException {
        return deviceCode(context, DEFAULT_PROFILE);
    }

    /**
     * This device's code under {@code profile}: the same code as {@code
     * facelic device-code --profile NAME} with the same attributes.
     *
     * @throws LicenseException {@link LicenseException#DEVICE_IDENTITY_UNAVAILABLE}
     *     (retryable) when an attribute of the profile cannot be read now
     */
    @NonNull
    public static String deviceCode(@NonNull Context context, @NonNull IdentityProfile profile)
            throws LicenseException {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(profile, "profile");
        String code = CODES.get(profile);
        if (code == null) {
            NativeVerifier.ensureLoaded();
            code = deviceCode(deviceAttributes(context, profile));
            CODES.put(profile, code);
        }
        return code;
    }

    /** The device code of explicit attributes (name to value), as {@code facelic device-code --attr}. */
    @NonNull
    public static String deviceCode(@NonNull Map<String, String> attributes) {
        Objects.requireNonNull(attributes, "attributes");
        String[] names = attributes.keySet().toArray(new String[0]);
        String[] values = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            values[i] = attributes.get(names[i]);
        }
        return NativeVerifier.deviceCode(names, values);
    }

    /**
     * The attributes of {@code profile} on this device, all of them or an
     * exception: never a partial set.
     */
    @NonNull
    @SuppressLint("HardwareIds")
    public static Map<String, String> deviceAttributes(@NonNull Context context, @NonNull IdentityProfile profile)
            throws LicenseException {
        Map<String, String> attrs = new LinkedHashMap<>();
        for (String name : profile.getAttributes()) {
            String value;
            if (name.equals("android-id")) {
                value = Settings.Secure.getString(context.getContentResolver(), Settings.Secure.ANDROID_ID);
            } else {
                value = widevineId();
            }
            if (value == null || value.isEmpty()) {
                throw new LicenseException(LicenseException.DEVICE_IDENTITY_UNAVAILABLE, "device-identity-unavailable",
                        "device attribute " + name + " of identity profile " + profile.getProfileName()
                                + " cannot be read now; try again later");
            }
            attrs.put(name, value);
        }
        return attrs;
    }

    /** The Widevine device unique id, lower-case hex, or null when it cannot be read now. */
    @Nullable
    private static String widevineId() {
        MediaDrm drm = null;
        try {
            drm = new MediaDrm(WIDEVINE);
            byte[] id = drm.getPropertyByteArray(MediaDrm.PROPERTY_DEVICE_UNIQUE_ID);
            return id == null || id.length == 0 ? null : hex(id);
        } catch (Exception | LinkageError e) {
            return null; // busy, reset, not provisioned, or no Widevine: the caller says so
        } finally {
            if (drm != null) {
                if (Build.VERSION.SDK_INT >= 28) {
                    drm.close();
                } else {
                    drm.release();
                }
            }
        }
    }

    /**
     * SHA-256 digests of every certificate of the app's signing lineage,
     * concatenated (32 bytes each), or null when none can be read. API 28+:
     * all current signers when there are several, else the rotation history
     * (original signer to current); below 28: every signature.
     */
    @Nullable
    @SuppressWarnings("deprecation")
    static byte[] signingCertificateDigests(@NonNull Context context) {
        try {
            PackageManager pm = context.getPackageManager();
            Signature[] signatures;
            if (Build.VERSION.SDK_INT >= 28) {
                PackageInfo info = pm.getPackageInfo(context.getPackageName(), PackageManager.GET_SIGNING_CERTIFICATES);
                SigningInfo signing = info.signingInfo;
                if (signing == null) {
                    return null;
                }
                signatures = signing.hasMultipleSigners() ? signing.getApkContentsSigners()
                        : signing.getSigningCertificateHistory();
            } else {
                PackageInfo info = pm.getPackageInfo(context.getPackageName(), PackageManager.GET_SIGNATURES);
                signatures = info.signatures;
            }
            if (signatures == null || signatures.length == 0) {
                return null;
            }
            ByteArrayOutputStream digests = new ByteArrayOutputStream(signatures.length * 32);
            for (Signature signature : signatures) {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(signature.toByteArray());
                digests.write(digest, 0, digest.length);
            }
            return digests.toByteArray();
        } catch (PackageManager.NameNotFoundException | NoSuchAlgorithmException e) {
            return null;
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }

    /** Package-private for tests: forgets the device codes read so far. */
    static void resetDeviceCodeCache() {
        CODES.clear();
    }
}
