package io.tenantdb.provisioning.flyway;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The host's tenant migrations: a directory of Flyway SQL migrations ({@code V1__items.sql}, {@code V2__….sql},
 * repeatable {@code R__….sql}), read anew on every use, so a file added while the host runs applies to the next
 * tenant without a restart. Every use first checks every file's name: anything else in the directory is refused
 * rather than silently skipped, as Flyway would. Immutable and thread-safe.
 */
public final class FlywayMigrations {

    private static final Pattern VERSIONED = Pattern.compile("V([0-9]+(?:[._][0-9]+)*)__[^/]+\\.sql");
    private static final Pattern REPEATABLE = Pattern.compile("R__[^/]+\\.sql");

    private final Path directory;
    private final Consumer<FluentConfiguration> settings;

    private FlywayMigrations(Path directory, Consumer<FluentConfiguration> settings) {
        this.directory = directory;
        this.settings = settings;
    }

    /**
     * Migrations in {@code directory}, checked now.
     *
     * @throws IllegalArgumentException when it is not a readable directory, or a file in it is not named
     *                                  {@code V<version>__<description>.sql} or {@code R__<description>.sql}, or two
     *                                  files have the same version; the message names the file, not its content
     */
    public static FlywayMigrations fromDirectory(Path directory) {
        return fromDirectory(directory, configuration -> { });
    }

    /**
     * As {@link #fromDirectory(Path)}, with the host's own Flyway settings (schemas, placeholders, history table…)
     * applied to every configuration; the locations and the data source are this class's.
     *
     * @throws IllegalArgumentException as {@link #fromDirectory(Path)}
     */
    public static FlywayMigrations fromDirectory(Path directory, Consumer<FluentConfiguration> settings) {
        FlywayMigrations migrations = new FlywayMigrations(Objects.requireNonNull(directory, "directory"),
                Objects.requireNonNull(settings, "settings"));
        migrations.latestVersion();
        return migrations;
    }

    /**
     * The version every tenant should reach: the highest versioned migration in the directory now.
     *
     * @return empty when the directory holds no versioned migration
     * @throws IllegalArgumentException as {@link #fromDirectory(Path)}, when the directory changed meanwhile
     */
    public Optional<String> latestVersion() {
        return versions().stream().max(MigrationVersion::compareTo).map(MigrationVersion::getVersion);
    }

    /** The directory the migrations are read from. */
    public Path directory() {
        return directory;
    }

    /**
     * Applies the pending migrations, each in its own transaction, on the connections of {@code dataSource}.
     *
     * @throws FlywayException when a migration fails; earlier ones stay applied
     */
    Applied migrate(DataSource dataSource) {
        MigrateResult result = flyway(dataSource).migrate();
        // The version before the run stands when nothing was applied.
        Optional<String> version = Optional.ofNullable(result.targetSchemaVersion)
                .or(() -> Optional.ofNullable(result.initialSchemaVersion))
                .map(text -> MigrationVersion.fromVersion(text).getVersion());
        return new Applied(version, result.migrationsExecuted);
    }

    /**
     * What one migration run did.
     *
     * @param version    the version the database is at now, empty when no versioned migration exists
     * @param migrations how many migrations it applied
     */
    record Applied(Optional<String> version, int migrations) {
    }

    /**
     * @return the versions not yet applied on that database, in order (the first is the next to run)
     * @throws FlywayException when the database cannot be read
     */
    List<String> pending(DataSource dataSource) {
        return Arrays.stream(flyway(dataSource).info().pending())
                .filter(MigrationInfo::isVersioned)
                .map(FlywayMigrations::version)
                .collect(Collectors.toList());
    }

    private Flyway flyway(DataSource dataSource) {
        latestVersion();
        FluentConfiguration configuration = Flyway.configure();
        settings.accept(configuration);
        return configuration
                .dataSource(dataSource)
                .locations("filesystem:" + directory.toAbsolutePath())
                .validateMigrationNaming(true)
                .load();
    }

    private static String version(MigrationInfo info) {
        return info.getVersion().getVersion();
    }

    private List<MigrationVersion> versions() {
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException(directory + " is not a directory");
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(directory)) {
            files = listing.sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
        List<MigrationVersion> versions = new ArrayList<>();
        Map<MigrationVersion, String> seen = new HashMap<>();
        for (Path file : files) {
            String name = file.getFileName().toString();
            Matcher versioned = VERSIONED.matcher(name);
            if (versioned.matches() && Files.isRegularFile(file)) {
                MigrationVersion version = MigrationVersion.fromVersion(versioned.group(1).replace('_', '.'));
                String earlier = seen.put(version, name);
                if (earlier != null) {
                    throw new IllegalArgumentException(name + " and " + earlier + " in " + directory
                            + " have the same version");
                }
                versions.add(version);
            } else if (!(REPEATABLE.matcher(name).matches() && Files.isRegularFile(file))) {
                throw new IllegalArgumentException(name + " in " + directory
                        + " is not named V<version>__<description>.sql or R__<description>.sql");
            }
        }
        return versions;
    }
}
