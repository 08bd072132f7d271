package org.qformerlab.blip2.data;

/**
 * A question about an image with its one correct answer (a single word for the shapes world).
 *
 * @param question the question, lower case, ending in {@code '?'}
 * @param answer   the answer
 * @param type     what the question asks about
 */
public record QA(String question, String answer, QuestionType type) {

    public QA {
        if (question == null || question.isBlank()) {
            throw new IllegalArgumentException("question must not be blank");
        }
        if (answer == null || answer.isBlank()) {
            throw new IllegalArgumentException("answer must not be blank");
        }
        if (type == null) {
            throw new IllegalArgumentException("type must not be null");
        }
    }

    /**
     * The zero-shot VQA prompt of BLIP-2 with an OPT: {@code "Question: {q} Answer:"}; the language
     * model's continuation is the answer.
     */
    public String prompt() {
        return "Question: " + question + " Answer:";
    }

    /** The prompt followed by the answer, the form in which QA pairs are language-model text. */
    public String promptWithAnswer() {
        return prompt() + " " + answer;
    }
}
