package android.content.pm;

/** Host stub. */
public class SigningInfo {
    private final Signature[] signers;
    public SigningInfo(Signature[] signers) { this.signers = signers; }
    public Signature[] getApkContentsSigners() { return signers; }
}
