package android.content.pm;

/** Host stub. */
public class Signature {
    private final byte[] bytes;
    public Signature(byte[] bytes) { this.bytes = bytes; }
    public byte[] toByteArray() { return bytes.clone(); }
}
