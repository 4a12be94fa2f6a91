package android.media;

import java.util.UUID;

/**
 * Host stub: the Widevine id is whatever the test sets (null: no Widevine);
 * {@link #failures} makes the next opens fail as a busy or resetting DRM
 * service does; {@link #opened} counts opens.
 */
public class MediaDrm implements AutoCloseable {
    public static final String PROPERTY_DEVICE_UNIQUE_ID = "deviceUniqueId";
    public static byte[] deviceUniqueId;
    public static int failures;
    public static int opened;

    public MediaDrm(UUID scheme) throws Exception {
        opened++;
        if (failures > 0) {
            failures--;
            throw new IllegalStateException("MediaDrmStateException: resource busy");
        }
        if (deviceUniqueId == null) {
            throw new Exception("UnsupportedSchemeException");
        }
    }

    public byte[] getPropertyByteArray(String name) { return deviceUniqueId.clone(); }

    @Override public void close() {}

    public void release() {}
}
