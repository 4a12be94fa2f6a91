package android.content.pm;

/** Host stub. */
public class PackageManager {
    public static final int GET_SIGNATURES = 64;
    public static final int GET_SIGNING_CERTIFICATES = 134217728;

    /** Host stub. */
    public static class NameNotFoundException extends Exception {
        private static final long serialVersionUID = 1L;
    }

    private final byte[] certificate;

    public PackageManager(byte[] certificate) { this.certificate = certificate; }

    public PackageInfo getPackageInfo(String packageName, int flags) throws NameNotFoundException {
        PackageInfo info = new PackageInfo();
        Signature[] sigs = certificate == null ? new Signature[0] : new Signature[] {new Signature(certificate)};
        info.signatures = sigs;
        info.signingInfo = new SigningInfo(sigs);
        return info;
    }
}
