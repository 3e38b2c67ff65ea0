package io.speculum.llama;

/** The storage type a derived drafter's weight matrices are written in. */
public enum WeightFormat {
    /** Keep every tensor as it is in the source (only drop blocks). */
    KEEP(-1, 1, 0),
    F16(1, 1, 1),
    Q8_0(8, 32, 7),
    Q4_0(2, 32, 2);

    private final int ggmlType;
    private final int blockSize;
    private final int fileType;

    WeightFormat(int ggmlType, int blockSize, int fileType) {
        this.ggmlType = ggmlType;
        this.blockSize = blockSize;
        this.fileType = fileType;
    }

    /** {@code enum ggml_type} value, -1 for {@link #KEEP}. */
    int ggmlType() {
        return ggmlType;
    }

    /** Values per quantisation block: a row's length must be a multiple of it. */
    int blockSize() {
        return blockSize;
    }

    /** {@code enum llama_ftype} value written to {@code general.file_type}. */
    int fileType() {
        return fileType;
    }
}
