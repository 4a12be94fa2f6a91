package android.annotation;

/** Host stub. */
public @interface SuppressLint {
    String[] value();
}
