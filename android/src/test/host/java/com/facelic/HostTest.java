package com.facelic;

import android.content.Context;
import android.content.pm.PackageManager;
import android.content.pm.Signature;
import android.media.MediaDrm;
import android.os.Build;
import android.provider.Settings;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * Runs the app-facing API on a host JVM (with -Xcheck:jni) against the real
 * native library and licenses issued by `facelic`. Arguments: the directory
 * scripts/test-jvm prepared. Exits 1 on the first failed check.
 */
public final class HostTest {
    private static int checks;

    private static void check(boolean ok, String what) {
        checks++;
        if (!ok) {
            System.err.println("FAIL: " + what);
            System.exit(1);
        }
        System.out.println("ok   " + what);
    }

    private static String read(Path dir, String name) throws Exception {
        return new String(Files.readAllBytes(dir.resolve(name)), StandardCharsets.UTF_8);
    }

    private static String readAll(InputStream in) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        for (int n; (n = in.read(buffer)) > 0; ) bytes.write(buffer, 0, n);
        return new String(bytes.toByteArray(), StandardCharsets.UTF_8);
    }

    private interface Call {
        Object run() throws Exception;
    }

    /** Runs {@code call} and checks it throws a LicenseException with {@code code}. */
    private static void refused(int code, String what, Call call) {
        try {
            call.run();
            check(false, what + ": expected code " + code + ", got a valid license");
        } catch (LicenseException e) {
            check(e.getCode() == code, what + ": code " + e.getCode() + " " + e.getName() + " (" + e.getMessage() + ")");
        } catch (Exception e) {
            check(false, what + ": unexpected " + e);
        }
    }

    /** Runs {@code call} and checks it throws {@code type}. */
    private static void throwsType(Class<? extends Throwable> type, String what, Call call) {
        try {
            call.run();
            check(false, what + ": nothing thrown");
        } catch (Throwable t) {
            check(type.isInstance(t), what + ": " + t);
        }
    }

    public static void main(String[] args) throws Exception {
        Path dir = Paths.get(args[0]);
        String keyring = read(dir, "keyring.pem");
        String expectedCode = read(dir, "device-code.txt").trim();
        long now = System.currentTimeMillis() / 1000L;

        // The device: ANDROID_ID and a Widevine id, as on a phone.
        Settings.Secure.androidId = "5a1f0c2e8b7d4e31";
        byte[] widevine = new byte[16];
        for (int i = 0; i < widevine.length; i++) widevine[i] = (byte) (i * 17);
        MediaDrm.deviceUniqueId = widevine;
        byte[] cert = "host test signing certificate".getBytes(StandardCharsets.UTF_8);
        Context app = new Context("com.acme.gate", cert);

        // Identity profiles: the same attributes give the code the desk computes
        // with `facelic device-code --profile android-id+widevine`.
        check(FaceLicense.deviceCode(app, IdentityProfile.ANDROID_ID_WIDEVINE).equals(expectedCode),
                "deviceCode(context, android-id+widevine) = facelic device-code --profile: " + expectedCode);
        Map<String, String> attrs = new LinkedHashMap<>(FaceLicense.deviceAttributes(app, IdentityProfile.ANDROID_ID_WIDEVINE));
        check(attrs.keySet().toString().equals("[android-id, widevine-id]"), "the profile's attributes " + attrs.keySet());
        check(FaceLicense.deviceCode(attrs).equals(expectedCode), "deviceCode(map) agrees");
        check(FaceLicense.deviceCode(app, IdentityProfile.ANDROID_ID).equals(read(dir, "android-id-code.txt").trim()),
                "android-id profile = facelic device-code --profile android-id");

        // MediaDrm throwing on the first call and succeeding on the second:
        // the error, then the right code, never a third code.
        FaceLicense.resetDeviceCodeCache();
        MediaDrm.failures = 1;
        refused(LicenseException.DEVICE_IDENTITY_UNAVAILABLE, "DRM busy: identity unavailable",
                () -> FaceLicense.deviceCode(app, IdentityProfile.ANDROID_ID_WIDEVINE));
        try {
            FaceLicense.deviceCode(app, IdentityProfile.ANDROID_ID_WIDEVINE);
        } catch (LicenseException e) {
            check(e.isRetryable(), "identity unavailable is retryable");
        }
        check(FaceLicense.deviceCode(app, IdentityProfile.ANDROID_ID_WIDEVINE).equals(expectedCode), "second read: the right code");
        // A failed read is not cached: the device license still verifies once DRM answers.
        FaceLicense.resetDeviceCodeCache();
        MediaDrm.failures = 1;
        refused(LicenseException.DEVICE_IDENTITY_UNAVAILABLE, "device license while DRM is busy",
                () -> FaceLicense.verify(app, read(dir, "device.lic"), keyring));
        check(FaceLicense.verify(app, read(dir, "device.lic"), keyring).getDevice().equals(expectedCode),
                "device license verifies once DRM answers");
        // A platform license reads no device identity at all.
        FaceLicense.resetDeviceCodeCache();
        MediaDrm.failures = 1000;
        MediaDrm.opened = 0;
        check(FaceLicense.verify(app, read(dir, "platform.lic"), keyring).getKind().equals("platform") && MediaDrm.opened == 0,
                "platform license verifies with MediaDrm throwing, never opening it (" + MediaDrm.opened + ")");
        MediaDrm.failures = 0;

        // Format 2: the app embeds only the root; licenses come from signing
        // keys (protected files) the root certified after the app shipped.
        String rootKeyring = read(dir, "root-keyring.pem");
        String v2 = read(dir, "v2-platform.lic");
        check(FaceLicense.verify(app, v2, rootKeyring).getKeyId().equals(read(dir, "signing-key-a.txt").trim()),
                "v2 license by certified key A verifies with the root alone");
        refused(LicenseException.UNCERTIFIED_KEY, "v2 license under another vendor's root",
                () -> FaceLicense.verify(app, v2, read(dir, "other-keyring.pem")));
        String list = read(dir, "revocations.crl");
        check(FaceLicense.checkRevocationList(list, rootKeyring) > 0, "the desk's revocation list checks out");
        refused(LicenseException.SIGNING_KEY_REVOKED, "key A revoked by the root",
                () -> FaceLicense.verify(app, v2, rootKeyring, list, null, FaceLicense.DEFAULT_PROFILE));
        check(FaceLicense.verify(app, read(dir, "v2-reissued.lic"), rootKeyring, list, null, FaceLicense.DEFAULT_PROFILE)
                        .getKeyId().equals(read(dir, "signing-key-b.txt").trim()),
                "the re-issued license (key B) verifies with the list");
        refused(LicenseException.MALFORMED, "a damaged list is refused, not used",
                () -> FaceLicense.checkRevocationList(read(dir, "revocations-damaged.crl"), rootKeyring));
        refused(LicenseException.MALFORMED, "a list whose END line is damaged is refused whole",
                () -> FaceLicense.checkRevocationList(read(dir, "revocations-no-end.crl"), rootKeyring));
        String older = read(dir, "revocations-old.crl");
        check(FaceLicense.checkRevocationList(list, older, rootKeyring) > 0,
                "a newer download replaces the stored list");
        refused(LicenseException.REVOCATION_LIST_OUTDATED, "an older download does not replace the stored list",
                () -> FaceLicense.checkRevocationList(older, list, rootKeyring));
        refused(LicenseException.MALFORMED, "verify with a damaged list checks nothing",
                () -> FaceLicense.verify(app, v2, rootKeyring, read(dir, "revocations-damaged.crl"), null,
                        FaceLicense.DEFAULT_PROFILE));

        // Licenses signed inside an HSM (SoftHSM2; scripts/softhsm-fixtures).
        if (Files.exists(dir.resolve("hsm-platform.lic"))) {
            check(FaceLicense.verify(app, read(dir, "hsm-platform.lic"), read(dir, "hsm-keyring.pem"))
                            .getPackageName().equals("com.acme.gate"),
                    "a license signed in the HSM verifies");
            String hsmRoot = read(dir, "hsm-root.pem");
            check(FaceLicense.verify(app, read(dir, "hsm-v2-platform.lic"), hsmRoot).getProduct().equals("face-detect"),
                    "a format-2 license from an HSM key, certified by a root in an HSM, verifies with the root alone");
            refused(LicenseException.UNCERTIFIED_KEY, "the HSM-certified license under another root",
                    () -> FaceLicense.verify(app, read(dir, "hsm-v2-platform.lic"), rootKeyring));
        } else {
            System.out.println("SKIP HSM-signed licenses (no SoftHSM2)");
        }

        VerifiedLicense device = FaceLicense.verify(app, read(dir, "device.lic"), keyring);
        // The zip archive of the order: Java's ZipInputStream (streaming) and
        // ZipFile (central directory) both read the same license text.
        String entry = "O-000002_" + expectedCode + ".lic";
        String streamed = null;
        int entries = 0;
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(dir.resolve("delivery.zip")))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; entries++) {
                if (e.getName().equals(entry)) streamed = readAll(zip);
            }
        }
        check(entries == 2 && read(dir, "device.lic").equals(streamed), "ZipInputStream reads the archive (" + entries + " entries)");
        try (ZipFile zip = new ZipFile(dir.resolve("delivery.zip").toFile())) {
            String direct = readAll(zip.getInputStream(zip.getEntry(entry)));
            check(zip.size() == 2 && FaceLicense.verify(app, direct, keyring).getKind().equals("device"), "ZipFile entry verifies");
        }
        check(device.getKind().equals("device"), "device license verifies: " + device);
        check(device.getProduct().equals("ir-liveness") && device.allows(VerifiedLicense.IR_LIVENESS)
                && device.allows(VerifiedLicense.DETECT) && !device.allows(VerifiedLicense.SEARCH), "features " + device.getFeatures());
        check(device.isPerpetual() && device.getExpiresAt() == null, "perpetual");
        check(expectedCode.equals(device.getDevice()) && device.getPackageName() == null, "bound to this device");
        check(device.getCustomerName().equals("深圳市某某科技有限公司"), "UTF-8 customer name: " + device.getCustomerName());

        VerifiedLicense platform = FaceLicense.verify(app, read(dir, "platform.lic"), keyring);
        check(platform.getKind().equals("platform") && "com.acme.gate".equals(platform.getPackageName()), "platform license verifies");
        check(platform.getExpiresAt() != null && platform.getExpiresAt() > now + 300L * 86400L, "platform term about a year: " + platform.getExpiresAt());

        refused(LicenseException.WRONG_DEVICE, "license of another device", () -> FaceLicense.verify(app, read(dir, "other-device.lic"), keyring));
        Context otherApp = new Context("com.acme.other", cert);
        refused(LicenseException.WRONG_PACKAGE, "platform license in another app", () -> FaceLicense.verify(otherApp, read(dir, "platform.lic"), keyring));
        refused(LicenseException.EXPIRED, "ended trial", () -> FaceLicense.verify(app, read(dir, "expired.lic"), keyring));
        String text = read(dir, "device.lic");
        int at = text.indexOf("FL1.") + 40;
        String tampered = text.substring(0, at) + (text.charAt(at) == 'A' ? 'B' : 'A') + text.substring(at + 1);
        refused(LicenseException.BAD_SIGNATURE, "tampered license", () -> FaceLicense.verify(app, tampered, keyring));
        refused(LicenseException.MALFORMED, "garbage", () -> FaceLicense.verify(app, "not a license \u0000\uFFFF", keyring));
        refused(LicenseException.MALFORMED, "empty text", () -> FaceLicense.verify(app, "", keyring));
        refused(LicenseException.UNKNOWN_KEY, "foreign keyring", () -> FaceLicense.verify(app, text, read(dir, "other-keyring.pem")));

        throwsType(NullPointerException.class, "null context", () -> FaceLicense.verify(null, text, keyring));
        throwsType(NullPointerException.class, "null license", () -> FaceLicense.verify(app, null, keyring));
        throwsType(NullPointerException.class, "null keyring", () -> FaceLicense.verify(app, text, null));
        refused(LicenseException.INVALID_KEYRING, "bad keyring", () -> FaceLicense.verify(app, text, "no key here"));
        // The native layer itself never crashes on nulls.
        throwsType(NullPointerException.class, "native create(null)", () -> NativeVerifier.create(null));
        long handle = NativeVerifier.create(keyring);
        throwsType(NullPointerException.class, "native verify(null text)", () -> NativeVerifier.verify(handle, null, now, null, null, null, null));
        String[] r = NativeVerifier.verify(handle, text, now, null, null, null, null);
        check(r[0].equals("7"), "native verify without device: " + String.join("|", r));
        // Bad arguments get the C ABI's code (20, invalid-argument), read by the same code.
        String[] badCert = NativeVerifier.verify(handle, text, now, null, null, new byte[3], null);
        check(badCert[0].equals("20") && badCert[1].equals("invalid-argument"), "native bad cert length: " + String.join("|", badCert));
        String[] badTime = NativeVerifier.verify(handle, text, Long.MAX_VALUE, null, null, null, null);
        check(badTime[0].equals("20"), "native time out of range: " + String.join("|", badTime));
        String[] badDevice = NativeVerifier.verify(handle, text, now, "not-a-code", null, null, null);
        check(badDevice[0].equals("20"), "native bad device code: " + String.join("|", badDevice));
        // More attributes than allowed: refused before any local reference is made.
        String[] manyNames = new String[40];
        String[] manyValues = new String[40];
        for (int i = 0; i < manyNames.length; i++) {
            manyNames[i] = "attr" + i;
            manyValues[i] = "v";
        }
        throwsType(IllegalArgumentException.class, "native deviceCode with 40 attributes", () -> NativeVerifier.deviceCode(manyNames, manyValues));
        String[] names32 = java.util.Arrays.copyOf(manyNames, 32);
        String[] values32 = java.util.Arrays.copyOf(manyValues, 32);
        check(NativeVerifier.deviceCode(names32, values32).length() == 19, "native deviceCode with 32 attributes (locals freed)");
        throwsType(NullPointerException.class, "native deviceCode(null)", () -> NativeVerifier.deviceCode(null, null));
        throwsType(NullPointerException.class, "native deviceCode null value", () -> NativeVerifier.deviceCode(new String[] {"android-id"}, new String[] {null}));
        throwsType(IllegalArgumentException.class, "native deviceCode bad name", () -> NativeVerifier.deviceCode(new String[] {"Bad Name"}, new String[] {"x"}));
        NativeVerifier.destroy(handle);
        NativeVerifier.destroy(0);

        // Clock-rollback guard: on the platform license (perpetual licenses are not guarded).
        String platformText = read(dir, "platform.lic");
        File state = Files.createTempFile("facelic-clock", ".state").toFile();
        state.delete();
        IdentityProfile profile = IdentityProfile.ANDROID_ID_WIDEVINE;
        FaceLicense.verifyAt(app, platformText, keyring, null, state, profile, now);
        check(state.exists(), "guard writes its state");
        refused(LicenseException.CLOCK_ROLLBACK, "clock set back a day", () -> FaceLicense.verifyAt(app, platformText, keyring, null, state, profile, now - 86400L));
        FaceLicense.verifyAt(app, platformText, keyring, null, state, profile, now - 60L);
        check(true, "a minute back is within tolerance");
        // The device's code changes (a factory reset): the guard stays valid.
        String stateBefore = read(state.toPath().getParent(), state.getName());
        Settings.Secure.androidId = "0123456789abcdef";
        FaceLicense.resetDeviceCodeCache();
        FaceLicense.verifyAt(app, platformText, keyring, null, state, profile, now + 60L);
        check(true, "a device-code change leaves the guard valid");
        Files.write(state.toPath(), stateBefore.replace(Long.toString(now), Long.toString(now - 864000L)).getBytes(StandardCharsets.UTF_8));
        refused(LicenseException.CLOCK_ROLLBACK, "edited state file", () -> FaceLicense.verifyAt(app, platformText, keyring, null, state, profile, now - 86400L));
        // A state file that cannot be read (a directory in its place) is not a rollback.
        state.delete();
        check(state.mkdir(), "state path made a directory");
        refused(LicenseException.CLOCK_STATE_UNAVAILABLE, "unreadable state file", () -> FaceLicense.verifyAt(app, platformText, keyring, null, state, profile, now));
        state.delete();
        Settings.Secure.androidId = "5a1f0c2e8b7d4e31";
        FaceLicense.resetDeviceCodeCache();

        // The signing certificate, on every API level.
        Signature original = new Signature("host original signing certificate".getBytes(StandardCharsets.UTF_8));
        Signature rotated = new Signature("host rotated signing certificate".getBytes(StandardCharsets.UTF_8));
        Signature stranger = new Signature("someone else's certificate".getBytes(StandardCharsets.UTF_8));
        String pinnedOriginal = read(dir, "pinned-original.lic");
        String pinnedRotated = read(dir, "pinned-rotated.lic");
        Signature[] none = new Signature[0];
        Context oneSigner = new Context("com.acme.gate", new PackageManager(new Signature[] {rotated}, new Signature[] {rotated}, new Signature[] {rotated}));
        check(FaceLicense.verify(oneSigner, pinnedRotated, keyring).getKind().equals("platform"), "one signer, pinned to it");
        refused(LicenseException.WRONG_CERTIFICATE, "one signer, pinned to another", () -> FaceLicense.verify(oneSigner, pinnedOriginal, keyring));
        // Rotated on API 28+: the lineage holds the original and the rotated key.
        Context lineage = new Context("com.acme.gate", new PackageManager(new Signature[] {rotated}, new Signature[] {original, rotated}, new Signature[] {original}));
        check(FaceLicense.verify(lineage, pinnedOriginal, keyring) != null && FaceLicense.verify(lineage, pinnedRotated, keyring) != null,
                "rotated lineage on API 28+: both pins verify");
        // Below API 28 the platform reports the original signer.
        Build.VERSION.SDK_INT = 27;
        check(FaceLicense.verify(lineage, pinnedOriginal, keyring) != null, "old API path: the original signer verifies");
        Context severalOld = new Context("com.acme.gate", new PackageManager(none, none, new Signature[] {stranger, rotated}));
        check(FaceLicense.verify(severalOld, pinnedRotated, keyring) != null, "old API path, several signatures: any of them");
        Build.VERSION.SDK_INT = 34;
        // Several current signers (API 28+): all of them count.
        Context several = new Context("com.acme.gate", new PackageManager(new Signature[] {stranger, rotated}, none, none));
        check(FaceLicense.verify(several, pinnedRotated, keyring) != null, "multiple signers: any of them");
        Context noMatch = new Context("com.acme.gate", new PackageManager(new Signature[] {stranger}, new Signature[] {stranger}, new Signature[] {stranger}));
        refused(LicenseException.WRONG_CERTIFICATE, "no certificate of the lineage matches", () -> FaceLicense.verify(noMatch, pinnedRotated, keyring));

        // Off the main thread: the asynchronous entry point.
        final VerifiedLicense[] verified = new VerifiedLicense[1];
        final LicenseException[] refusedAsync = new LicenseException[1];
        java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newSingleThreadExecutor();
        FaceLicense.Callback callback = new FaceLicense.Callback() {
            @Override public void onVerified(VerifiedLicense license) { verified[0] = license; }
            @Override public void onRefused(LicenseException error) { refusedAsync[0] = error; }
        };
        FaceLicense.verifyAsync(app, platformText, keyring, null, profile, executor, callback);
        FaceLicense.verifyAsync(app, read(dir, "expired.lic"), keyring, null, profile, executor, callback);
        executor.shutdown();
        check(executor.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS), "async calls finished");
        check(verified[0] != null && verified[0].getKind().equals("platform"), "verifyAsync: verified on the executor");
        check(refusedAsync[0] != null && refusedAsync[0].getCode() == LicenseException.EXPIRED, "verifyAsync: refusal to the callback");

        System.out.println("PASS " + checks + " checks");
    }
}
