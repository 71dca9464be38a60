using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Bifrost.Host.Configuration;

/// <summary>
/// Finds and reads the configuration: <c>--config PATH</c>, else <c>./appsettings.json</c> (running from the
/// repository), else <c>/etc/bifrost/appsettings.json</c> (installed); then environment variables on top.
/// </summary>
public static class ConfigLoader
{
    public const string InstalledPath = "/etc/bifrost/appsettings.json";

    public static string? FindConfigFile(string? explicitPath)
    {
        if (explicitPath is not null)
        {
            var full = Path.GetFullPath(explicitPath);
            return File.Exists(full) ? full : throw new ConfigError($"configuration file {full} does not exist");
        }
        var local = Path.GetFullPath("appsettings.json");
        if (File.Exists(local)) return local;
        return File.Exists(InstalledPath) ? InstalledPath : null;
    }

    /// <summary>Builds the configuration; a malformed file is a <see cref="ConfigError"/> naming file and line.</summary>
    public static (IConfiguration Configuration, string? File) Load(string? explicitPath)
    {
        var file = FindConfigFile(explicitPath);
        if (file is not null) CheckJson(file);
        var builder = new ConfigurationBuilder();
        if (file is not null) builder.AddJsonFile(file, optional: false, reloadOnChange: false);
        builder.AddEnvironmentVariables();
        try
        {
            return (builder.Build(), file);
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException)
        {
            throw new ConfigError($"cannot read configuration file {file}: {e.Message}");
        }
    }

    /// <summary>Parses the file first so a syntax error is reported with its line, not as a framework exception.</summary>
    private static void CheckJson(string file)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file),
                new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ConfigError($"configuration file {file} must hold a JSON object");
        }
        catch (JsonException e)
        {
            throw new ConfigError($"configuration file {file} is not valid JSON (line {e.LineNumber + 1}): {e.Message}");
        }
        catch (IOException e)
        {
            throw new ConfigError($"cannot read configuration file {file}: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ConfigError($"cannot read configuration file {file}: {e.Message}");
        }
    }
}
