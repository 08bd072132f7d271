package org.qformerlab.blip2.checkpoint;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Writes a whole file so that readers, and a machine that loses power, see either the old file or
 * the complete new one. The bytes go to a temporary file in the same folder; the file is synced to
 * disk (fsync), renamed over the target, and then the folder is synced so the rename itself is
 * durable. Missing parent folders are created. Every file the project writes (checkpoints, configs,
 * metrics rewrites, reports, figures) goes through here.
 */
public final class AtomicFiles {

    private AtomicFiles() {}

    /** Something that writes a file's content to a stream. */
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code file} atomically and durably.
     *
     * @throws UncheckedIOException naming the file and the cause; the previous file, if any, is intact
     *     and no temporary file is left behind
     */
    public static void write(Path file, Writer writer) {
        Path target = file.toAbsolutePath();
        Path folder = target.getParent();
        // Not Files.createTempFile: it makes owner-only files, and run folders are meant to be shared.
        Path temp = folder.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.createDirectories(folder);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(channel);
                writer.write(out);
                out.flush();
                channel.force(true);
            }
            move(temp, target);
            syncFolder(folder);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // the temporary file is all that is lost
            }
            IOException cause = e instanceof IOException io ? io : new IOException(e);
            throw new UncheckedIOException(
                    "could not write " + file + " (" + e.getMessage() + "); the previous file, if any, is intact", cause);
        }
    }

    public static void write(Path file, byte[] bytes) {
        write(file, out -> out.write(bytes));
    }

    public static void writeString(Path file, String text) {
        write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Renames {@code from} to {@code to} in one step (replacing a file, not a non-empty folder) and
     * syncs the folder that holds {@code to}, so that the rename survives a power loss.
     */
    public static void publish(Path from, Path to) throws IOException {
        move(from, to);
        syncFolder(to.toAbsolutePath().getParent());
    }

    /** Syncs a folder's entries to disk (fsync on the folder): creations, renames and deletions in it. */
    public static void syncFolder(Path folder) throws IOException {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some platforms (Windows) cannot open a folder for syncing; there the rename is all we have.
            if (!System.getProperty("os.name", "").toLowerCase().startsWith("windows")) {
                throw e;
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
