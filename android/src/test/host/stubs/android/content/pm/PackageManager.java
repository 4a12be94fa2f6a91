package android.content.pm;

/**
 * Host stub. API 28+ answers with {@link SigningInfo} (current signers and
 * rotation history); below 28, {@code signatures} holds the legacy answer,
 * which after a key rotation is the original signer.
 */
public class PackageManager {
    public static final int GET_SIGNATURES = 64;
    public static final int GET_SIGNING_CERTIFICATES = 134217728;

    /** Host stub. */
    public static class NameNotFoundException extends Exception {
        private static final long serialVersionUID = 1L;
    }

    private final Signature[] signers;
    private final Signature[] history;
    private final Signature[] legacy;

    /** One signing certificate, never rotated (none when null). */
    public PackageManager(byte[] certificate) {
        this(sigs(certificate), sigs(certificate), sigs(certificate));
    }

    public PackageManager(Signature[] signers, Signature[] history, Signature[] legacy) {
        this.signers = signers;
        this.history = history;
        this.legacy = legacy;
    }

    private static Signature[] sigs(byte[] certificate) {
        return certificate == null ? new Signature[0] : new Signature[] {new Signature(certificate)};
    }

    public PackageInfo getPackageInfo(String packageName, int flags) throws NameNotFoundException {
        PackageInfo info = new PackageInfo();
        info.signatures = legacy.clone();
        info.signingInfo = new SigningInfo(signers, history);
        return info;
    }
}
