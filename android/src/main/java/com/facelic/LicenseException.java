package com.facelic;

import androidx.annotation.NonNull;

/**
 * A license was refused. {@link #getCode()} is the verifier's stable error
 * code (the same numbers in Rust, C and Java); {@link #getName()} its stable
 * short name.
 */
public final class LicenseException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The text is not a well-formed license. */
    public static final int MALFORMED = 1;
    /** The license uses a format version this library does not know: update the SDK. */
    public static final int UNSUPPORTED_VERSION = 2;
    /** Signed by a key that is not in the keyring: ship the current keyring. */
    public static final int UNKNOWN_KEY = 3;
    /** The signature does not verify: the license was altered or forged. */
    public static final int BAD_SIGNATURE = 4;
    /** Not valid yet (or the device clock is far behind). */
    public static final int NOT_YET_VALID = 5;
    /** The validity window has ended: renew. */
    public static final int EXPIRED = 6;
    /** Bound to another device. */
    public static final int WRONG_DEVICE = 7;
    /** Bound to another app package. */
    public static final int WRONG_PACKAGE = 8;
    /** The app's signing certificate differs from the one the license pins. */
    public static final int WRONG_CERTIFICATE = 9;
    /** The license was revoked. */
    public static final int REVOKED = 10;
    /** The device clock was set back. */
    public static final int CLOCK_ROLLBACK = 11;
    /**
     * The clock guard's state file could not be read (an I/O failure, not
     * tampering). Retryable.
     */
    public static final int CLOCK_STATE_UNAVAILABLE = 12;
    /**
     * A device attribute of the identity profile could not be read right now
     * (the DRM service busy, reset or not provisioned). Retryable: the next
     * call reads it again; a different code is never computed instead.
     */
    public static final int DEVICE_IDENTITY_UNAVAILABLE = 13;
    /** A format-2 license whose signing key no root of the keyring certified. */
    public static final int UNCERTIFIED_KEY = 14;
    /** Issued outside the window its signing key's certificate allows. */
    public static final int CERTIFICATE_WINDOW = 15;
    /** Its signing key's certificate does not cover its product. */
    public static final int CERTIFICATE_PRODUCT = 16;
    /** Signed by a signing key the vendor's root has revoked (a leaked key): get it re-issued. */
    public static final int SIGNING_KEY_REVOKED = 17;
    /** A revocation list older than the one given with it (or stripped of a list it had): keep the one you have. */
    public static final int REVOCATION_LIST_OUTDATED = 18;
    /** An argument was invalid (a caller's mistake). */
    public static final int INVALID_ARGUMENT = 20;
    /** The keyring holds no valid key. */
    public static final int INVALID_KEYRING = 21;
    /** The device attributes make no device code. */
    public static final int INVALID_DEVICE_ATTRIBUTES = 22;
    /** An output buffer was too small (C ABI only). */
    public static final int BUFFER_TOO_SMALL = 23;
    /** The native library (libfacelic.so) could not be loaded for this ABI. */
    public static final int NATIVE_LIBRARY_UNAVAILABLE = 98;
    /** A panic or other unexpected failure inside the native library. */
    public static final int INTERNAL_ERROR = 99;

    private final int code;
    private final String name;

    /**
     * @param code the stable error code
     * @param name the stable error name, e.g. {@code "wrong-device"}
     * @param message a human-readable message
     */
    public LicenseException(int code, @NonNull String name, @NonNull String message) {
        super(message + " [" + code + " " + name + "]");
        this.code = code;
        this.name = name;
    }

    /** The stable error code (see the constants). */
    public int getCode() {
        return code;
    }

    /**
     * True when the same call may succeed later ({@link #CLOCK_STATE_UNAVAILABLE},
     * {@link #DEVICE_IDENTITY_UNAVAILABLE}): retry, don't treat it as unlicensed.
     */
    public boolean isRetryable() {
        return code == CLOCK_STATE_UNAVAILABLE || code == DEVICE_IDENTITY_UNAVAILABLE;
    }

    /** The stable error name, e.g. {@code "expired"}. */
    @NonNull
    public String getName() {
        return name;
    }
}
