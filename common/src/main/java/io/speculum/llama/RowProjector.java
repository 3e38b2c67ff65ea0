package io.speculum.llama;

/** The multiply behind {@link OutputLayer}: logits rows from hidden-state rows and transposed weights. */
interface RowProjector {

    /** Floats per vector: {@link OutputLayer} pads its weight rows to a multiple of this. */
    int lanes();

    /**
     * {@code rows[r][v] = Σ_d states[(first + r)·hidden + d] · weights[d·stride + v]} for {@code r < count},
     * {@code v < vocabulary}.
     */
    void project(float[] weights, int stride, int vocabulary, int hidden, float[] states, int first, int count, float[][] rows);
}
