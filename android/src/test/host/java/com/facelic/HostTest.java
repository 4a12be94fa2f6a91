package com.facelic;

import android.content.Context;
import android.media.MediaDrm;
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

        check(FaceLicense.deviceCode(app).equals(expectedCode), "deviceCode(context) = facelic device-code: " + expectedCode);
        Map<String, String> attrs = new LinkedHashMap<>(FaceLicense.deviceAttributes(app));
        check(attrs.size() == 2 && attrs.containsKey("android-id") && attrs.containsKey("widevine-id"), "recommended attributes " + attrs.keySet());
        check(FaceLicense.deviceCode(attrs).equals(expectedCode), "deviceCode(map) agrees");

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
        throwsType(IllegalArgumentException.class, "bad keyring", () -> FaceLicense.verify(app, text, "no key here"));
        // The native layer itself never crashes on nulls.
        throwsType(NullPointerException.class, "native create(null)", () -> NativeVerifier.create(null));
        long handle = NativeVerifier.create(keyring);
        throwsType(NullPointerException.class, "native verify(null text)", () -> NativeVerifier.verify(handle, null, now, null, null, null, null));
        String[] r = NativeVerifier.verify(handle, text, now, null, null, null, null);
        check(r[0].equals("7"), "native verify without device: " + String.join("|", r));
        throwsType(IllegalArgumentException.class, "native bad cert length", () -> NativeVerifier.verify(handle, text, now, null, null, new byte[3], null));
        throwsType(NullPointerException.class, "native deviceCode(null)", () -> NativeVerifier.deviceCode(null, null));
        throwsType(NullPointerException.class, "native deviceCode null value", () -> NativeVerifier.deviceCode(new String[] {"android-id"}, new String[] {null}));
        throwsType(IllegalArgumentException.class, "native deviceCode bad name", () -> NativeVerifier.deviceCode(new String[] {"Bad Name"}, new String[] {"x"}));
        NativeVerifier.destroy(handle);
        NativeVerifier.destroy(0);

        // Clock-rollback guard.
        File state = Files.createTempFile("facelic-clock", ".state").toFile();
        state.delete();
        FaceLicense.verifyAt(app, text, keyring, state, now);
        check(state.exists(), "guard writes its state");
        refused(LicenseException.CLOCK_ROLLBACK, "clock set back a day", () -> FaceLicense.verifyAt(app, text, keyring, state, now - 86400L));
        FaceLicense.verifyAt(app, text, keyring, state, now - 60L);
        check(true, "a minute back is within tolerance");
        Files.write(state.toPath(), read(state.toPath().getParent(), state.getName()).replace(Long.toString(now), Long.toString(now - 864000L)).getBytes(StandardCharsets.UTF_8));
        refused(LicenseException.CLOCK_ROLLBACK, "edited state file", () -> FaceLicense.verifyAt(app, text, keyring, state, now - 86400L));
        state.delete();

        // Without Widevine or ANDROID_ID: the documented fall-back attributes.
        FaceLicense.resetDeviceCodeCache();
        MediaDrm.deviceUniqueId = null;
        Settings.Secure.androidId = null;
        check(FaceLicense.deviceAttributes(app).keySet().toString().equals("[build.manufacturer, build.model, build.fingerprint]"), "fall-back attributes");
        check(!FaceLicense.deviceCode(app).equals(expectedCode), "fall-back code differs");

        System.out.println("PASS " + checks + " checks");
    }
}
