package com.facelic;

/**
 * The native half of the verifier (libfacelic.so). Package-private: apps use
 * {@link FaceLicense}. Keep this class and its native methods in R8/ProGuard
 * (see consumer-rules.pro).
 */
final class NativeVerifier {
    /** Why libfacelic.so could not be loaded, or null when it was. */
    private static final Throwable LOAD_FAILURE = load();

    private NativeVerifier() {}

    private static Throwable load() {
        try {
            System.loadLibrary("facelic");
            return null;
        } catch (UnsatisfiedLinkError | SecurityException e) {
            return e;
        }
    }

    /** Throws {@link LicenseException#NATIVE_LIBRARY_UNAVAILABLE} when the library did not load. */
    static void ensureLoaded() throws LicenseException {
        if (LOAD_FAILURE != null) {
            throw new LicenseException(LicenseException.NATIVE_LIBRARY_UNAVAILABLE, "native-library-unavailable",
                    "libfacelic.so could not be loaded for this ABI: " + LOAD_FAILURE);
        }
    }

    /**
     * A verifier for the keyring PEM; free with {@link #destroy}. A keyring
     * without a valid key throws {@link LicenseException#INVALID_KEYRING}.
     */
    static native long create(String keyringPem) throws LicenseException;

    /** Frees a verifier handle. */
    static native void destroy(long handle);

    /**
     * Checks a revocation-list text against the handle's keyring and applies
     * it unless it is older than the list the handle holds; returns its
     * issued-at (Unix seconds).
     *
     * @throws LicenseException with the list's code (18 when older); the handle keeps the list it had
     */
    static native long setRevocationList(long handle, String list) throws LicenseException;

    /**
     * {"0", fields...} when valid, {code, name, message} when refused.
     * certsSha256 (32-byte digests, concatenated) and clockStatePath may be null.
     */
    static native String[] verify(long handle, String license, long nowUnix, String deviceCode,
            String packageName, byte[] certsSha256, String clockStatePath);

    /** The device code of these attributes (names[i] = values[i]). */
    static native String deviceCode(String[] names, String[] values);
}
