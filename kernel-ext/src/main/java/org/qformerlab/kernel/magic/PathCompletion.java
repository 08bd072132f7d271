package org.qformerlab.kernel.magic;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** File names for completing a magic's path argument: folders, and files with the given endings. */
final class PathCompletion {

    private PathCompletion() {}

    static List<String> candidates(String typed, String... endings) {
        int slash = typed.lastIndexOf('/');
        String folderPart = slash < 0 ? "" : typed.substring(0, slash + 1);
        String base = typed.substring(slash + 1);
        Path folder = Path.of(folderPart.isEmpty() ? "." : folderPart);
        try (Stream<Path> list = Files.list(folder)) {
            return list.filter(p -> p.getFileName().toString().startsWith(base))
                    .filter(p -> Files.isDirectory(p) || Stream.of(endings).anyMatch(e -> p.toString().endsWith(e)))
                    .map(p -> folderPart + p.getFileName() + (Files.isDirectory(p) ? "/" : ""))
                    .sorted().toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
