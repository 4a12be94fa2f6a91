package com.facelic;

/**
 * The native half of the verifier (libfacelic.so). Package-private: apps use
 * {@link FaceLicense}. Keep this class and its native methods in R8/ProGuard
 * (see consumer-rules.pro).
 */
final class NativeVerifier {
    static {
        String path = System.getProperty("facelic.library.path");
        if (path != null) {
            System.load(path);
        } else {
            System.loadLibrary("facelic");
        }
    }

    private NativeVerifier() {}

    /** A verifier for the keyring PEM; free with {@link #destroy}. */
    static native long create(String keyringPem);

    /** Frees a verifier handle. */
    static native void destroy(long handle);

    /**
     * {"0", fields...} when valid, {code, name, message} when refused.
     * certSha256 and clockStatePath may be null.
     */
    static native String[] verify(long handle, String license, long nowUnix, String deviceCode,
            String packageName, byte[] certSha256, String clockStatePath);

    /** The device code of these attributes (names[i] = values[i]). */
    static native String deviceCode(String[] names, String[] values);
}
