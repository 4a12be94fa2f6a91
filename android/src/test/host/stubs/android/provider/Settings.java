package android.provider;

import android.content.ContentResolver;

/** Host stub: ANDROID_ID is whatever the test sets. */
public class Settings {
    /** Host stub. */
    public static class Secure {
        public static final String ANDROID_ID = "android_id";
        public static String androidId;
        public static String getString(ContentResolver resolver, String name) { return androidId; }
    }
}
