package android.content.pm;

/** Host stub: the current signers and the rotation history (original first). */
public class SigningInfo {
    private final Signature[] signers;
    private final Signature[] history;

    public SigningInfo(Signature[] signers, Signature[] history) {
        this.signers = signers;
        this.history = history;
    }

    public boolean hasMultipleSigners() { return signers.length > 1; }

    public Signature[] getApkContentsSigners() { return signers.clone(); }

    public Signature[] getSigningCertificateHistory() { return history.clone(); }
}
