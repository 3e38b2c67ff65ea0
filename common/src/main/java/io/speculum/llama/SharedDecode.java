package io.speculum.llama;

/**
 * The {@code llama_decode} a request's tokens were part of: what a batch-aware scheduler learns the cost of
 * batching from. Attention in llama.cpp's unified KV cache runs over every used cell, so a decode's time grows with
 * its tokens times the cells cached then, not with its tokens alone.
 *
 * @param requests requests packed into the decode
 * @param tokens   tokens in it, all requests together
 * @param cells    KV cells in use when it started
 * @param millis   its wall time
 */
public record SharedDecode(int requests, int tokens, int cells, double millis) {

    /** Unknown: a result not produced by an engine's decode. */
    public static final SharedDecode UNKNOWN = new SharedDecode(0, 0, 0, 0);

    public boolean known() {
        return requests > 0;
    }
}
