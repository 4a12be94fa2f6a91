package android.media;

import java.util.UUID;

/** Host stub: the Widevine id is whatever the test sets (null: no Widevine). */
public class MediaDrm implements AutoCloseable {
    public static final String PROPERTY_DEVICE_UNIQUE_ID = "deviceUniqueId";
    public static byte[] deviceUniqueId;

    public MediaDrm(UUID scheme) throws Exception {
        if (deviceUniqueId == null) {
            throw new Exception("UnsupportedSchemeException");
        }
    }

    public byte[] getPropertyByteArray(String name) { return deviceUniqueId.clone(); }
    @Override public void close() {}
    public void release() {}
}
