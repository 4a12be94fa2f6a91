package com.facelic;

import androidx.annotation.NonNull;
import androidx.annotation.Nullable;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/** A license that verified: what it grants and until when. Immutable. */
public final class VerifiedLicense {
    /** Face detection, alignment, tracking, quality. */
    public static final String DETECT = "detect";
    /** Infrared liveness. */
    public static final String IR_LIVENESS = "ir-liveness";
    /** 3D structured-light liveness. */
    public static final String LIVENESS_3D = "3d-liveness";
    /** Feature extraction and 1:N search. */
    public static final String SEARCH = "search";

    private final String serial;
    private final String kind;
    private final String product;
    private final Set<String> features;
    private final String customerId;
    private final String customerName;
    private final String orderId;
    private final long issuedAt;
    private final long notBefore;
    private final Long notAfter;
    private final String device;
    private final String packageName;
    private final String keyId;

    /** Builds from the native result {@code {"0", serial, kind, ...}}. */
    static VerifiedLicense fromNative(String[] f) {
        return new VerifiedLicense(f);
    }

    private VerifiedLicense(String[] f) {
        serial = f[1];
        kind = f[2];
        product = f[3];
        features = Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(f[4].split(","))));
        customerId = f[5];
        customerName = f[6];
        orderId = f[7];
        issuedAt = Long.parseLong(f[8]);
        notBefore = Long.parseLong(f[9]);
        notAfter = f[10].isEmpty() ? null : Long.valueOf(f[10]);
        device = f[11].isEmpty() ? null : f[11];
        packageName = f[12].isEmpty() ? null : f[12];
        keyId = f[13];
    }

    /** True when the license grants {@code feature} (see the constants). */
    public boolean allows(@NonNull String feature) {
        return features.contains(feature);
    }

    /** {@code device}, {@code device-trial}, {@code platform} or {@code platform-trial}. */
    @NonNull public String getKind() { return kind; }
    /** Product id, e.g. {@code face-detect}. */
    @NonNull public String getProduct() { return product; }
    /** Features granted. */
    @NonNull public Set<String> getFeatures() { return features; }
    /** Serial (UUID). */
    @NonNull public String getSerial() { return serial; }
    /** Customer id at the license desk. */
    @NonNull public String getCustomerId() { return customerId; }
    /** Customer name. */
    @NonNull public String getCustomerName() { return customerName; }
    /** Order id at the license desk. */
    @NonNull public String getOrderId() { return orderId; }
    /** Issue time, Unix seconds. */
    public long getIssuedAt() { return issuedAt; }
    /** Start of validity, Unix seconds. */
    public long getNotBefore() { return notBefore; }
    /** End of validity (exclusive), Unix seconds; null when perpetual. */
    @Nullable public Long getExpiresAt() { return notAfter; }
    /** True for a perpetual license. */
    public boolean isPerpetual() { return notAfter == null; }
    /** Bound device code (device licenses). */
    @Nullable public String getDevice() { return device; }
    /** Bound package name (platform licenses). */
    @Nullable public String getPackageName() { return packageName; }
    /** Id of the key that signed the license. */
    @NonNull public String getKeyId() { return keyId; }

    @Override
    public String toString() {
        return kind + " license " + serial + " for " + product + " " + features
                + (notAfter == null ? " (perpetual)" : " until " + notAfter);
    }
}
