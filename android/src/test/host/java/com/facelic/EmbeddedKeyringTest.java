package com.facelic;

import android.content.Context;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Run against libfacelic.so built with the vendor's keyring embedded
 * (feature embedded-keyring): a keyring asset swapped for an attacker's
 * cannot make the app trust the attacker's licenses. Arguments: the
 * directory scripts/test-jvm prepared; the second argument "embedded" or
 * "plain" says which library is loaded.
 */
public final class EmbeddedKeyringTest {
    private EmbeddedKeyringTest() {}

    private static String read(Path dir, String name) throws Exception {
        return new String(Files.readAllBytes(dir.resolve(name)), StandardCharsets.UTF_8);
    }

    private static void fail(String what) {
        System.err.println("FAIL: " + what);
        System.exit(1);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Paths.get(args[0]);
        boolean embedded = args[1].equals("embedded");
        Context app = new Context("com.acme.gate", new byte[] {1});
        String forged = read(dir, "forged.lic");
        String forgedKeyring = read(dir, "forged-keyring.pem");
        try {
            FaceLicense.verify(app, forged, forgedKeyring);
            if (embedded) fail("embedded keyring: a forged license verified with a swapped keyring");
            System.out.println("ok   plain library: a swapped keyring makes it trust the forger (the threat)");
        } catch (LicenseException e) {
            if (!embedded || e.getCode() != LicenseException.UNKNOWN_KEY) fail("forged license: " + e);
            System.out.println("ok   embedded keyring: the forged license is refused: " + e.getName());
        }
        if (embedded) {
            // The vendor's license verifies whatever keyring the app passes.
            VerifiedLicense license = FaceLicense.verify(app, read(dir, "platform.lic"), "ignored");
            if (!license.getKind().equals("platform")) fail("vendor license");
            System.out.println("ok   embedded keyring: the vendor's license verifies, the app's keyring ignored");
        }
    }
}
