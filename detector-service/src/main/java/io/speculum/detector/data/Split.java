package io.speculum.detector.data;

/**
 * Which part of the data a text belongs to. Blocks of the corpus (and the prompts cut from them) are assigned by
 * block number, 3 : 1 : 1, so nothing that trains or calibrates ever sees an evaluation text.
 */
public enum Split {
    TRAIN, CALIBRATE, EVALUATE;

    static Split ofBlock(int block) {
        return switch (block % 5) {
            case 3 -> CALIBRATE;
            case 4 -> EVALUATE;
            default -> TRAIN;
        };
    }
}
