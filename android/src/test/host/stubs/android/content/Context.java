package android.content;

import android.content.pm.PackageManager;

/** Host stub: a context whose package name and certificate the test chooses. */
public class Context {
    private final String packageName;
    private final PackageManager packageManager;

    public Context(String packageName, byte[] signingCertificate) {
        this.packageName = packageName;
        this.packageManager = new PackageManager(signingCertificate);
    }

    public String getPackageName() { return packageName; }
    public PackageManager getPackageManager() { return packageManager; }
    public ContentResolver getContentResolver() { return new ContentResolver(); }
}
