/*
 * A small C program against the committed header: verifies the shared test
 * vectors through the C ABI. Usage: verify_vector <licenses/examples dir>.
 * Exits 0 when every check passes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdint.h>

#include "facelic.h"

static int failures = 0;

#define CHECK(cond, ...)                         \
    do {                                         \
        if (cond) {                              \
            printf("ok   ");                     \
        } else {                                 \
            printf("FAIL ");                     \
            failures++;                          \
        }                                        \
        printf(__VA_ARGS__);                     \
        printf("\n");                            \
    } while (0)

static char *read_file(const char *dir, const char *name, size_t *len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        perror(path);
        exit(2);
    }
    buf[size] = '\0';
    fclose(f);
    if (len) *len = (size_t)size;
    return buf;
}

/* Licenses signed inside an HSM (scripts/softhsm-fixtures): each verifies
 * for its app with its keyring, and fails with another app's package. */
static void verify_hsm_licenses(const char *dir, int64_t now) {
    const char *cases[][2] = {{"hsm-platform.lic", "hsm-keyring.pem"}, {"hsm-v2-platform.lic", "hsm-root.pem"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = 0;
        char *pem = read_file(dir, cases[i][1], NULL);
        char *text = read_file(dir, cases[i][0], &len);
        FacelicVerifier *verifier = NULL;
        int rc = facelic_verifier_new(pem, &verifier);
        CHECK(rc == FACELIC_OK, "keyring %s (rc %d)", cases[i][1], rc);
        FacelicLicense *lic = NULL;
        rc = facelic_verify(verifier, (const uint8_t *)text, len, now, NULL, "com.acme.gate", NULL, 0, NULL, &lic);
        CHECK(rc == FACELIC_OK && lic != NULL, "%s verifies (rc %d %s)", cases[i][0], rc, facelic_error_name(rc));
        if (lic) facelic_license_free(lic);
        lic = NULL;
        rc = facelic_verify(verifier, (const uint8_t *)text, len, now, NULL, "com.other.app", NULL, 0, NULL, &lic);
        CHECK(lic == NULL && strcmp(facelic_error_name(rc), "wrong-package") == 0, "%s refused for another app (rc %d %s)", cases[i][0], rc, facelic_error_name(rc));
        facelic_verifier_free(verifier);
        free(pem);
        free(text);
    }
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "licenses/examples";
    const int64_t now = 1794744000; /* 2026-11-15T12:00:00Z */

    /* Device code of the vectors' device, as `facelic device-code` computes it. */
    const char *names[] = {"android-id", "widevine-id"};
    const char *values[] = {"9774d56d682e549c", "b3a1c0ffee0ddba11b3a1c0ffee0ddba"};
    char code[20];
    int rc = facelic_device_code(names, values, 2, code, sizeof code);
    CHECK(rc == FACELIC_OK && strcmp(code, "QMAF-H018-2RQD-2S2M") == 0, "device code %s", code);
    char tiny[8];
    CHECK(facelic_device_code(names, values, 2, tiny, sizeof tiny) == FACELIC_ERR_BUFFER_TOO_SMALL, "small buffer refused");
    const char *bad_names[] = {"Bad Name"};
    CHECK(facelic_device_code(bad_names, values, 1, code, sizeof code) == FACELIC_ERR_DEVICE_ATTRIBUTES,
          "bad attribute refused: %s", facelic_last_error_message());

    char *pem = read_file(dir, "test-only-issuer.pub", NULL);
    FacelicVerifier *verifier = NULL;
    CHECK(facelic_verifier_new("no key", &verifier) == FACELIC_ERR_KEYRING && verifier == NULL, "bad keyring refused");
    CHECK(facelic_verifier_new(NULL, &verifier) == FACELIC_ERR_ARGUMENT, "NULL keyring refused");
    rc = facelic_verifier_new(pem, &verifier);
    CHECK(rc == FACELIC_OK && verifier != NULL, "verifier from the test keyring");

    size_t len = 0;
    char *text = read_file(dir, "device.lic", &len);
    FacelicLicense *lic = NULL;
    rc = facelic_verify(verifier, (const uint8_t *)text, len, now, "QMAF-H018-2RQD-2S2M", NULL, NULL, 0, NULL, &lic);
    CHECK(rc == FACELIC_OK && lic != NULL, "device.lic verifies (rc %d %s)", rc, facelic_error_name(rc));
    if (lic) {
        CHECK(strcmp(facelic_license_field(lic, FACELIC_FIELD_KIND), "device") == 0, "kind device");
        CHECK(strcmp(facelic_license_field(lic, FACELIC_FIELD_PRODUCT), "ir-liveness-search") == 0, "product");
        CHECK(strcmp(facelic_license_field(lic, FACELIC_FIELD_SERIAL), "00000000-0000-4000-8000-000000000001") == 0, "serial");
        CHECK(strcmp(facelic_license_field(lic, FACELIC_FIELD_KEY_ID), "b60c357d4447607d") == 0, "key id");
        CHECK(facelic_license_field(lic, FACELIC_FIELD_PACKAGE) == NULL, "no package");
        CHECK(facelic_license_time(lic, FACELIC_TIME_NOT_AFTER) == FACELIC_NO_TIME, "perpetual");
        CHECK(facelic_license_time(lic, FACELIC_TIME_NOT_BEFORE) == 1793491200, "not before 2026-11-01");
        CHECK(facelic_license_allows(lic, "search") && !facelic_license_allows(lic, "3d-liveness"), "features");
        /* Selectors are plain integers: out of range is refused, never undefined. */
        CHECK(facelic_license_field(lic, -1) == NULL && facelic_license_field(lic, 10) == NULL, "field out of range");
        CHECK(facelic_license_time(lic, 3) == FACELIC_NO_TIME && facelic_license_time(lic, -7) == FACELIC_NO_TIME,
              "time selector out of range");
        facelic_license_free(lic);
    }

    /* The same bad input gives the same code as the JNI binding: 20 (invalid-argument). */
    rc = facelic_verify(verifier, (const uint8_t *)text, len, INT64_MAX, "QMAF-H018-2RQD-2S2M", NULL, NULL, 0, NULL, &lic);
    CHECK(rc == FACELIC_ERR_ARGUMENT, "time out of range: %d %s", rc, facelic_error_name(rc));
    rc = facelic_verify(verifier, (const uint8_t *)text, len, now, "not-a-code", NULL, NULL, 0, NULL, &lic);
    CHECK(rc == FACELIC_ERR_ARGUMENT, "bad device code: %d %s", rc, facelic_error_name(rc));
    rc = facelic_verify(verifier, (const uint8_t *)text, len, now, NULL, NULL, NULL, 2, NULL, &lic);
    CHECK(rc == FACELIC_ERR_ARGUMENT, "NULL digests with a count: %d", rc);
    CHECK(strcmp(facelic_error_name(12), "clock-state-unavailable") == 0 &&
              strcmp(facelic_error_name(13), "device-identity-unavailable") == 0 &&
              strcmp(facelic_error_name(98), "native-library-unavailable") == 0 &&
              strcmp(facelic_error_name(1000), "unknown-error") == 0,
          "error names");

    lic = NULL;
    rc = facelic_verify(verifier, (const uint8_t *)text, len, now, "HG74-DD86-1FCX-VEKC", NULL, NULL, 0, NULL, &lic);
    CHECK(rc == 7 && lic == NULL && strcmp(facelic_error_name(rc), "wrong-device") == 0, "another device: %d %s", rc,
          facelic_last_error_message());
    char *tampered = read_file(dir, "tampered-payload.lic", &len);
    rc = facelic_verify(verifier, (const uint8_t *)tampered, len, now, "QMAF-H018-2RQD-2S2M", NULL, NULL, 0, NULL, &lic);
    CHECK(rc == 4, "tampered: %d %s", rc, facelic_error_name(rc));
    rc = facelic_verify(verifier, (const uint8_t *)"garbage", 7, now, NULL, NULL, NULL, 0, NULL, &lic);
    CHECK(rc == 1, "garbage: %d %s", rc, facelic_error_name(rc));
    rc = facelic_verify(NULL, (const uint8_t *)"x", 1, now, NULL, NULL, NULL, 0, NULL, &lic);
    CHECK(rc == FACELIC_ERR_ARGUMENT, "NULL verifier refused");

    char *platform = read_file(dir, "platform.lic", &len);
    rc = facelic_verify(verifier, (const uint8_t *)platform, len, now, NULL, "com.acme.gate", NULL, 0, NULL, &lic);
    CHECK(rc == FACELIC_OK, "platform.lic verifies for com.acme.gate");
    if (rc == FACELIC_OK) {
        CHECK(strcmp(facelic_license_field(lic, FACELIC_FIELD_CUSTOMER_NAME), "深圳市某某科技有限公司") == 0, "UTF-8 customer name");
        facelic_license_free(lic);
    }

    /* Format 2: a license by signing key A, certified by the keyring's root. */
    char *v2 = read_file(dir, "v2-device.lic", &len);
    size_t v2_len = len;
    rc = facelic_verify(verifier, (const uint8_t *)v2, v2_len, now, "QMAF-H018-2RQD-2S2M", NULL, NULL, 0, NULL, &lic);
    CHECK(rc == FACELIC_OK, "v2-device.lic verifies with the root alone (rc %d %s)", rc, facelic_error_name(rc));
    if (rc == FACELIC_OK) {
        CHECK(strcmp(facelic_license_field(lic, FACELIC_FIELD_KEY_ID), "b60c357d4447607d") != 0,
              "signed by the signing key, not the root: %s", facelic_license_field(lic, FACELIC_FIELD_KEY_ID));
        facelic_license_free(lic);
    }
    char *uncertified = read_file(dir, "v2-uncertified.lic", &len);
    rc = facelic_verify(verifier, (const uint8_t *)uncertified, len, now, "QMAF-H018-2RQD-2S2M", NULL, NULL, 0, NULL, &lic);
    CHECK(rc == 14 && strcmp(facelic_error_name(rc), "uncertified-key") == 0, "uncertified: %d %s", rc, facelic_error_name(rc));

    /* Revocation lists: a bad one is refused and changes nothing; a good one applies. */
    char *tampered_list = read_file(dir, "v3-revocations-tampered.crl", &len);
    int64_t issued_at = 0;
    rc = facelic_verifier_set_revocation_list(verifier, (const uint8_t *)tampered_list, len, &issued_at);
    CHECK(rc == 4 && issued_at == 0, "tampered list refused: %d %s", rc, facelic_last_error_message());
    rc = facelic_verify(verifier, (const uint8_t *)v2, v2_len, now, "QMAF-H018-2RQD-2S2M", NULL, NULL, 0, NULL, &lic);
    CHECK(rc == FACELIC_OK, "a refused list revokes nothing (rc %d)", rc);
    if (rc == FACELIC_OK) facelic_license_free(lic);
    char *no_end = read_file(dir, "v3-revocations-no-end.crl", &len);
    rc = facelic_verifier_set_revocation_list(verifier, (const uint8_t *)no_end, len, &issued_at);
    CHECK(rc == 1 && issued_at == 0, "a list with a damaged END line is refused whole: %d %s", rc,
          facelic_last_error_message());
    char *list = read_file(dir, "v3-revocations.crl", &len);
    rc = facelic_verifier_set_revocation_list(verifier, (const uint8_t *)list, len, &issued_at);
    CHECK(rc == FACELIC_OK && issued_at == 1794441600, "list applied, issued %lld", (long long)issued_at);
    rc = facelic_verify(verifier, (const uint8_t *)v2, v2_len, now, "QMAF-H018-2RQD-2S2M", NULL, NULL, 0, NULL, &lic);
    CHECK(rc == 17 && strcmp(facelic_error_name(rc), "signing-key-revoked") == 0, "key A revoked: %d %s", rc,
          facelic_error_name(rc));
    CHECK(facelic_verifier_set_revocation_list(NULL, (const uint8_t *)list, len, NULL) == FACELIC_ERR_ARGUMENT,
          "NULL verifier refused");
    size_t older_len = 0;
    char *older = read_file(dir, "v3-revocations-older.crl", &older_len);
    rc = facelic_verifier_set_revocation_list(verifier, (const uint8_t *)older, older_len, NULL);
    CHECK(rc == 18 && strcmp(facelic_error_name(rc), "revocation-list-outdated") == 0,
          "an older list does not replace the one held: %d %s", rc, facelic_error_name(rc));
    rc = facelic_verify(verifier, (const uint8_t *)v2, v2_len, now, "QMAF-H018-2RQD-2S2M", NULL, NULL, 0, NULL, &lic);
    CHECK(rc == 17, "the held list still applies: %d", rc);

    /* Issued just now by scripts/softhsm-fixtures: checked at the real time. */
    if (argc > 2) verify_hsm_licenses(argv[2], (int64_t)time(NULL));

    facelic_verifier_free(verifier);
    facelic_verifier_free(NULL);
    facelic_license_free(NULL);
    free(pem);
    free(text);
    free(tampered);
    free(platform);
    free(v2);
    free(uncertified);
    free(tampered_list);
    free(list);
    free(no_end);
    free(older);
    printf(failures ? "FAILED %d\n" : "PASS\n", failures);
    return failures ? 1 : 0;
}
