package com.facelic;

import android.content.Context;

/**
 * Run without libfacelic.so on the library path: a missing native library
 * reaches the app as a LicenseException with its own code, never an Error.
 */
public final class NoLibraryTest {
    private NoLibraryTest() {}

    public static void main(String[] args) {
        Context app = new Context("com.acme.gate", new byte[] {1});
        try {
            FaceLicense.verify(app, "text", "keyring");
            System.err.println("FAIL: verified without a native library");
            System.exit(1);
        } catch (LicenseException e) {
            if (e.getCode() != LicenseException.NATIVE_LIBRARY_UNAVAILABLE || !e.getName().equals("native-library-unavailable")) {
                System.err.println("FAIL: code " + e.getCode() + " " + e.getName());
                System.exit(1);
            }
            System.out.println("ok   missing native library: code " + e.getCode() + " " + e.getName());
        } catch (Throwable t) {
            System.err.println("FAIL: " + t);
            System.exit(1);
        }
    }
}
