package org.qformerlab.blip2.data;

/**
 * One object in a scene: what it is (shape, colour, size) and where its centre is (x to the right,
 * y downwards, as fractions of the image side). Its {@link Position} is derived from the centre.
 *
 * <p>The constructor insists that the whole object lies inside its grid cell; since a scene puts at
 * most one object in a cell, objects can never overlap.
 */
public record SceneObject(ShapeType shape, Colour colour, Size size, double x, double y) {

    public SceneObject {
        if (shape == null || colour == null || size == null) {
            throw new IllegalArgumentException("shape, colour and size must not be null");
        }
        Position cell = Position.of(x, y);
        double r = size.radius();
        double cellSide = 1.0 / Position.GRID;
        boolean inside = x - r >= cell.minX() && x + r <= cell.minX() + cellSide
                && y - r >= cell.minY() && y + r <= cell.minY() + cellSide;
        if (!inside) {
            throw new IllegalArgumentException(String.format(
                    "a %s object centred at (%.3f, %.3f) does not fit inside its grid cell (%s)",
                    size.word(), x, y, cell.word()));
        }
    }

    /** The grid cell that holds the object's centre. */
    public Position position() {
        return Position.of(x, y);
    }

    /** The object's (colour, shape) combination. */
    public ColourShape colourShape() {
        return new ColourShape(colour, shape);
    }

    /** Canonical text, e.g. {@code "large red circle at top left"}. */
    public String description() {
        return size.word() + " " + colour.word() + " " + shape.word() + " at " + position().word();
    }
}
