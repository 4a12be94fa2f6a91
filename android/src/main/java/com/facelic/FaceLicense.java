package com.facelic;

import android.annotation.SuppressLint;
import android.content.Context;
import android.content.pm.PackageInfo;
import android.content.pm.PackageManager;
import android.content.pm.Signature;
import android.media.MediaDrm;
import android.os.Build;
import android.provider.Settings;

import androidx.annotation.NonNull;
import androidx.annotation.Nullable;

import java.io.File;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Checks the app's face-SDK license at start-up, offline.
 *
 * <pre>
 * VerifiedLicense license = FaceLicense.verify(context, licenseText, keyringPem);
 * if (license.allows(VerifiedLicense.IR_LIVENESS)) { ... }
 * </pre>
 *
 * The package name and the signing certificate are read from the
 * {@link Context}, and the device code is computed here, so the app cannot
 * pass the wrong ones. Every refusal is a {@link LicenseException} with a
 * stable code.
 */
public final class FaceLicense {
    /** The Widevine DRM scheme (MediaDrm). */
    private static final UUID WIDEVINE = new UUID(0xEDEF8BA979D64ACEL, 0xA3C827DCD51D21EDL);

    private static volatile String cachedDeviceCode;

    private FaceLicense() {}

    /**
     * Verifies {@code licenseText} against {@code keyring} (the PEM the
     * license desk exports) for this app and device, now.
     *
     * @throws LicenseException when the license is refused (see its code)
     * @throws NullPointerException when an argument is null
     * @throws IllegalArgumentException when the keyring holds no valid key
     */
    @NonNull
    public static VerifiedLicense verify(@NonNull Context context, @NonNull String licenseText,
            @NonNull String keyring) throws LicenseException {
        return verify(context, licenseText, keyring, null);
    }

    /**
     * Like {@link #verify(Context, String, String)}, with the clock-rollback
     * guard keeping its state in {@code clockState} (e.g.
     * {@code new File(context.getNoBackupFilesDir(), "facelic-clock")}):
     * a clock set back more than an hour before the latest time seen, or an
     * edited state file, is refused with {@link LicenseException#CLOCK_ROLLBACK}.
     */
    @NonNull
    public static VerifiedLicense verify(@NonNull Context context, @NonNull String licenseText,
            @NonNull String keyring, @Nullable File clockState) throws LicenseException {
        return verifyAt(context, licenseText, keyring, clockState, System.currentTimeMillis() / 1000L);
    }

    /** The verification at an explicit time (Unix seconds); for tests. */
    @NonNull
    static VerifiedLicense verifyAt(@NonNull Context context, @NonNull String licenseText,
            @NonNull String keyring, @Nullable File clockState, long nowUnix) throws LicenseException {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(licenseText, "licenseText");
        Objects.requireNonNull(keyring, "keyring");
        String packageName = context.getPackageName();
        byte[] cert = signingCertificateSha256(context);
        String device = deviceCode(context);
        long handle = NativeVerifier.create(keyring);
        try {
            String[] r = NativeVerifier.verify(handle, licenseText, nowUnix, device, packageName, cert,
                    clockState == null ? null : clockState.getAbsolutePath());
            if ("0".equals(r[0])) {
                return VerifiedLicense.fromNative(r);
            }
            throw new LicenseException(Integer.parseInt(r[0]), r[1], r[2]);
        } finally {
            NativeVerifier.destroy(handle);
        }
    }

    /**
     * This device's code, from the recommended attributes: {@code android-id}
     * (Settings.Secure.ANDROID_ID) and {@code widevine-id} (MediaDrm Widevine
     * device unique id, lower-case hex) where present; if neither is
     * available, {@code build.manufacturer}, {@code build.model} and
     * {@code build.fingerprint}. The same attributes give the same code as
     * {@code facelic device-code}.
     */
    @NonNull
    public static String deviceCode(@NonNull Context context) {
        Objects.requireNonNull(context, "context");
        String code = cachedDeviceCode;
        if (code == null) {
            code = deviceCode(deviceAttributes(context));
            cachedDeviceCode = code;
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

    /** The attributes {@link #deviceCode(Context)} uses on this device. */
    @NonNull
    @SuppressLint("HardwareIds")
    public static Map<String, String> deviceAttributes(@NonNull Context context) {
        Map<String, String> attrs = new LinkedHashMap<>();
        String androidId = Settings.Secure.getString(context.getContentResolver(), Settings.Secure.ANDROID_ID);
        if (androidId != null && !androidId.isEmpty()) {
            attrs.put("android-id", androidId);
        }
        String widevine = widevineId();
        if (widevine != null) {
            attrs.put("widevine-id", widevine);
        }
        if (attrs.isEmpty()) {
            attrs.put("build.manufacturer", String.valueOf(Build.MANUFACTURER));
            attrs.put("build.model", String.valueOf(Build.MODEL));
            attrs.put("build.fingerprint", String.valueOf(Build.FINGERPRINT));
        }
        return attrs;
    }

    @Nullable
    private static String widevineId() {
        MediaDrm drm = null;
        try {
            drm = new MediaDrm(WIDEVINE);
            byte[] id = drm.getPropertyByteArray(MediaDrm.PROPERTY_DEVICE_UNIQUE_ID);
            return id == null || id.length == 0 ? null : hex(id);
        } catch (Exception | LinkageError e) {
            return null; // no Widevine on this device
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

    /** SHA-256 of the app's current signing certificate, or null if unreadable. */
    @Nullable
    @SuppressWarnings("deprecation")
    static byte[] signingCertificateSha256(@NonNull Context context) {
        try {
            PackageManager pm = context.getPackageManager();
            Signature[] signatures;
            if (Build.VERSION.SDK_INT >= 28) {
                PackageInfo info = pm.getPackageInfo(context.getPackageName(), PackageManager.GET_SIGNING_CERTIFICATES);
                signatures = info.signingInfo == null ? null : info.signingInfo.getApkContentsSigners();
            } else {
                PackageInfo info = pm.getPackageInfo(context.getPackageName(), PackageManager.GET_SIGNATURES);
                signatures = info.signatures;
            }
            if (signatures == null || signatures.length == 0) {
                return null;
            }
            return MessageDigest.getInstance("SHA-256").digest(signatures[0].toByteArray());
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

    /** Package-private for tests: forgets the cached device code. */
    static void resetDeviceCodeCache() {
        cachedDeviceCode = null;
    }

}
