package com.facelic;

import androidx.annotation.NonNull;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Which device attributes make up this device's identity, and so its device
 * code. The app names its profile; the license desk computes the same code
 * with {@code facelic device-code --profile NAME}. An attribute of the
 * profile that cannot be read is a {@link LicenseException} with
 * {@link LicenseException#DEVICE_IDENTITY_UNAVAILABLE}, never a different
 * code. What changes each profile's code, and which to choose: docs/android.md.
 */
public enum IdentityProfile {
    /** {@code android-id}: Settings.Secure.ANDROID_ID (gates, kiosks, boards without Widevine). */
    ANDROID_ID("android-id", "android-id"),
    /** {@code widevine}: the MediaDrm Widevine device unique id. */
    WIDEVINE("widevine", "widevine-id"),
    /** {@code android-id+widevine}: both (phones and tablets). */
    ANDROID_ID_WIDEVINE("android-id+widevine", "android-id", "widevine-id");

    private final String profileName;
    private final List<String> attributes;

    IdentityProfile(String profileName, String... attributes) {
        this.profileName = profileName;
        this.attributes = Collections.unmodifiableList(Arrays.asList(attributes));
    }

    /** The profile's name, as {@code facelic device-code --profile} takes it. */
    @NonNull
    public String getProfileName() {
        return profileName;
    }

    /** The attribute names the code is derived from. */
    @NonNull
    public List<String> getAttributes() {
        return attributes;
    }
}
