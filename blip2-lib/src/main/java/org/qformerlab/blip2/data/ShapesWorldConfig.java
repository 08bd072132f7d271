package org.qformerlab.blip2.data;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Everything that determines a shapes world: the seed, the image size, the size of each split, the
 * number of captions per image, the most objects per scene, and the fraction of (colour, shape)
 * combinations held out for the compositional split. Equal configs give identical worlds.
 *
 * <p>Readable with Jackson; a missing field takes its default ({@link #defaults()}), an unknown
 * field is an error. Invalid values are rejected with a message naming the field and the rule.
 */
public record ShapesWorldConfig(
        long seed,
        int imageSize,
        int trainCount,
        int valCount,
        int testCount,
        int compositionalCount,
        int captionsPerImage,
        int maxObjects,
        double heldOutFraction) {

    public static final long DEFAULT_SEED = 1234L;
    public static final int DEFAULT_IMAGE_SIZE = 64;
    public static final int DEFAULT_TRAIN_COUNT = 4000;
    public static final int DEFAULT_VAL_COUNT = 300;
    public static final int DEFAULT_TEST_COUNT = 300;
    public static final int DEFAULT_COMPOSITIONAL_COUNT = 300;
    public static final int DEFAULT_CAPTIONS_PER_IMAGE = 4;
    public static final int DEFAULT_MAX_OBJECTS = 3;
    public static final double DEFAULT_HELD_OUT_FRACTION = 0.2;

    /** Smallest image on which a small object is still a few pixels across. */
    public static final int MIN_IMAGE_SIZE = 32;
    public static final int MAX_IMAGE_SIZE = 1024;
    public static final int MAX_CAPTIONS_PER_IMAGE = 10;

    public ShapesWorldConfig {
        requireRange("imageSize", imageSize, MIN_IMAGE_SIZE, MAX_IMAGE_SIZE);
        requireRange("trainCount", trainCount, 0, Integer.MAX_VALUE);
        requireRange("valCount", valCount, 0, Integer.MAX_VALUE);
        requireRange("testCount", testCount, 0, Integer.MAX_VALUE);
        requireRange("compositionalCount", compositionalCount, 0, Integer.MAX_VALUE);
        requireRange("captionsPerImage", captionsPerImage, 1, MAX_CAPTIONS_PER_IMAGE);
        requireRange("maxObjects", maxObjects, 1, Position.values().length);
        if (!(heldOutFraction >= 0 && heldOutFraction <= 0.5)) {
            throw new IllegalArgumentException("heldOutFraction must be between 0 and 0.5, got " + heldOutFraction);
        }
        if (compositionalCount > 0 && CompositionalHoldout.size(heldOutFraction) == 0) {
            throw new IllegalArgumentException("heldOutFraction must hold out at least one colour-shape combination"
                    + " when compositionalCount > 0, got " + heldOutFraction);
        }
        long total = (long) trainCount + valCount + testCount + compositionalCount;
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the four counts must sum to at most " + Integer.MAX_VALUE + ", got " + total);
        }
    }

    /** The Jackson entry point: absent fields take their defaults. */
    @JsonCreator
    static ShapesWorldConfig fromJson(
            @JsonProperty("seed") Long seed,
            @JsonProperty("imageSize") Integer imageSize,
            @JsonProperty("trainCount") Integer trainCount,
            @JsonProperty("valCount") Integer valCount,
            @JsonProperty("testCount") Integer testCount,
            @JsonProperty("compositionalCount") Integer compositionalCount,
            @JsonProperty("captionsPerImage") Integer captionsPerImage,
            @JsonProperty("maxObjects") Integer maxObjects,
            @JsonProperty("heldOutFraction") Double heldOutFraction) {
        return new ShapesWorldConfig(
                seed != null ? seed : DEFAULT_SEED,
                imageSize != null ? imageSize : DEFAULT_IMAGE_SIZE,
                trainCount != null ? trainCount : DEFAULT_TRAIN_COUNT,
                valCount != null ? valCount : DEFAULT_VAL_COUNT,
                testCount != null ? testCount : DEFAULT_TEST_COUNT,
                compositionalCount != null ? compositionalCount : DEFAULT_COMPOSITIONAL_COUNT,
                captionsPerImage != null ? captionsPerImage : DEFAULT_CAPTIONS_PER_IMAGE,
                maxObjects != null ? maxObjects : DEFAULT_MAX_OBJECTS,
                heldOutFraction != null ? heldOutFraction : DEFAULT_HELD_OUT_FRACTION);
    }

    /** The default world: 4000/300/300/300 images of 64x64, 4 captions each, 1-3 objects. */
    public static ShapesWorldConfig defaults() {
        return defaults(DEFAULT_SEED);
    }

    /** The default world with another seed. */
    public static ShapesWorldConfig defaults(long seed) {
        return fromJson(seed, null, null, null, null, null, null, null, null);
    }

    /** This config with another seed. */
    public ShapesWorldConfig withSeed(long newSeed) {
        return new ShapesWorldConfig(newSeed, imageSize, trainCount, valCount, testCount, compositionalCount,
                captionsPerImage, maxObjects, heldOutFraction);
    }

    /** This config with other split sizes (handy for small worlds in tests and notebooks). */
    public ShapesWorldConfig withCounts(int train, int val, int test, int compositional) {
        return new ShapesWorldConfig(seed, imageSize, train, val, test, compositional,
                captionsPerImage, maxObjects, heldOutFraction);
    }

    /** This config with another image size. */
    public ShapesWorldConfig withImageSize(int size) {
        return new ShapesWorldConfig(seed, size, trainCount, valCount, testCount, compositionalCount,
                captionsPerImage, maxObjects, heldOutFraction);
    }

    /** The number of samples in a split. */
    public int count(Split split) {
        return switch (split) {
            case TRAIN -> trainCount;
            case VAL -> valCount;
            case TEST -> testCount;
            case COMPOSITIONAL -> compositionalCount;
        };
    }

    private static void requireRange(String field, int value, int min, int max) {
        if (value < min || value > max) {
            String rule = max == Integer.MAX_VALUE ? ">= " + min : "between " + min + " and " + max;
            throw new IllegalArgumentException(field + " must be " + rule + ", got " + value);
        }
    }

    /** This config with {@code trainCount} replaced. */
    public ShapesWorldConfig withTrainCount(int trainCount) {
        return toBuilder().trainCount(trainCount).build();
    }

    /** This config with {@code valCount} replaced. */
    public ShapesWorldConfig withValCount(int valCount) {
        return toBuilder().valCount(valCount).build();
    }

    /** This config with {@code testCount} replaced. */
    public ShapesWorldConfig withTestCount(int testCount) {
        return toBuilder().testCount(testCount).build();
    }

    /** This config with {@code compositionalCount} replaced. */
    public ShapesWorldConfig withCompositionalCount(int compositionalCount) {
        return toBuilder().compositionalCount(compositionalCount).build();
    }

    /** This config with {@code captionsPerImage} replaced. */
    public ShapesWorldConfig withCaptionsPerImage(int captionsPerImage) {
        return toBuilder().captionsPerImage(captionsPerImage).build();
    }

    /** This config with {@code maxObjects} replaced. */
    public ShapesWorldConfig withMaxObjects(int maxObjects) {
        return toBuilder().maxObjects(maxObjects).build();
    }

    /** This config with {@code heldOutFraction} replaced. */
    public ShapesWorldConfig withHeldOutFraction(double heldOutFraction) {
        return toBuilder().heldOutFraction(heldOutFraction).build();
    }

    /** A builder starting from this config: name the fields that change, then {@link Builder#build}. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Named construction of a {@link ShapesWorldConfig}: starts from a config, every field has a setter, and the
     * record validates once, in {@link #build} (so fields that must agree can change together).
     */
    public static final class Builder {
        private long seed;
        private int imageSize;
        private int trainCount;
        private int valCount;
        private int testCount;
        private int compositionalCount;
        private int captionsPerImage;
        private int maxObjects;
        private double heldOutFraction;

        private Builder(ShapesWorldConfig c) {
            this.seed = c.seed();
            this.imageSize = c.imageSize();
            this.trainCount = c.trainCount();
            this.valCount = c.valCount();
            this.testCount = c.testCount();
            this.compositionalCount = c.compositionalCount();
            this.captionsPerImage = c.captionsPerImage();
            this.maxObjects = c.maxObjects();
            this.heldOutFraction = c.heldOutFraction();
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder imageSize(int imageSize) {
            this.imageSize = imageSize;
            return this;
        }

        public Builder trainCount(int trainCount) {
            this.trainCount = trainCount;
            return this;
        }

        public Builder valCount(int valCount) {
            this.valCount = valCount;
            return this;
        }

        public Builder testCount(int testCount) {
            this.testCount = testCount;
            return this;
        }

        public Builder compositionalCount(int compositionalCount) {
            this.compositionalCount = compositionalCount;
            return this;
        }

        public Builder captionsPerImage(int captionsPerImage) {
            this.captionsPerImage = captionsPerImage;
            return this;
        }

        public Builder maxObjects(int maxObjects) {
            this.maxObjects = maxObjects;
            return this;
        }

        public Builder heldOutFraction(double heldOutFraction) {
            this.heldOutFraction = heldOutFraction;
            return this;
        }

        public ShapesWorldConfig build() {
            return new ShapesWorldConfig(seed, imageSize, trainCount, valCount, testCount, compositionalCount, captionsPerImage, maxObjects, heldOutFraction);
        }
    }
}
