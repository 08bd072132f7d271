package org.qformerlab.blip2.data;

/** What a {@link QA} asks about; VQA accuracy is usually reported per type. */
public enum QuestionType {
    /** "what colour is the circle?" -> a colour word. */
    COLOUR,
    /** "what shape is red?" -> a shape word. */
    SHAPE,
    /** "what size is the red circle?" -> "small" or "large". */
    SIZE,
    /** "how many shapes are there?" -> a number word. */
    COUNT,
    /** "is the red circle left of the blue square?" -> "yes" or "no". */
    RELATION
}
