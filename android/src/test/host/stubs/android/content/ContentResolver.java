package android.content;

/** Host stub. */
public class ContentResolver {}
