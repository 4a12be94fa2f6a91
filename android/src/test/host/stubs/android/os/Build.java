package android.os;

/** Host stub. */
public class Build {
    public static final String MANUFACTURER = "HostVendor";
    public static final String MODEL = "HostModel";
    public static final String FINGERPRINT = "host/fingerprint";

    /** Host stub. */
    public static class VERSION {
        public static int SDK_INT = 34;
    }
}
