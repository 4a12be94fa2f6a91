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

    /** The stable error code (1 to 11). */
    public int getCode() {
        return code;
    }

    /** The stable error name, e.g. {@code "expired"}. */
    @NonNull
    public String getName() {
        return name;
    }
}
