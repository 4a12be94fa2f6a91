package android.content;

import android.content.pm.PackageManager;

/** Host stub: a package name and its PackageManager. */
public class Context {
    private final String packageName;
    private final PackageManager packageManager;

    public Context(String packageName, byte[] signingCertificate) {
        this(packageName, new PackageManager(signingCertificate));
    }

    public Context(String packageName, PackageManager packageManager) {
        this.packageName = packageName;
        this.packageManager = packageManager;
    }

    public String getPackageName() { return packageName; }

    public PackageManager getPackageManager() { return packageManager; }

    public ContentResolver getContentResolver() { return new ContentResolver(); }
}
