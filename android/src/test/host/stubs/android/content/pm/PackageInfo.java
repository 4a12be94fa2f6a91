package android.content.pm;

/** Host stub. */
public class PackageInfo {
    public Signature[] signatures;
    public SigningInfo signingInfo;
}
