// facelic verifier: Android library module. Add it to your app's settings
// (include(":facelic") with projectDir pointing here) and depend on it:
//   implementation(project(":facelic"))
// The native libraries come from scripts/build-android, copied into
// src/main/jniLibs/<abi>/libfacelic.so (see docs/android.md).
plugins {
    id("com.android.library")
}

android {
    namespace = "com.facelic"
    compileSdk = 35

    defaultConfig {
        minSdk = 23
        consumerProguardFiles("consumer-rules.pro")
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_1_8
        targetCompatibility = JavaVersion.VERSION_1_8
    }

    sourceSets {
        getByName("main") {
            jniLibs.srcDirs("src/main/jniLibs")
        }
    }
}

dependencies {
    implementation("androidx.annotation:annotation:1.9.1")
}
