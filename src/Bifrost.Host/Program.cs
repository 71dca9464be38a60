using System.CommandLine;
using Bifrost.Host.Configuration;
using Bifrost.Host.Serving;
using Bifrost.Store.Sqlite;

namespace Bifrost.Host;

/// <summary>The <c>bifrost</c> executable: <c>serve</c> (default), <c>migrate</c>, <c>check-config</c>.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var config = new Option<string?>("--config")
        {
            Description = "Configuration file (default: ./appsettings.json, else /etc/bifrost/appsettings.json)",
            Recursive = true,
        };
        var root = new RootCommand("Bifrost: a bare-metal provisioning appliance with an Ironic-compatible API.");
        root.Options.Add(config);

        var serve = new Command("serve", "Run the daemon (the default).");
        var migrate = new Command("migrate", "Create or upgrade the database schema, then exit.");
        var checkConfig = new Command("check-config", "Read and check the configuration, then exit.");
        root.Subcommands.Add(serve);
        root.Subcommands.Add(migrate);
        root.Subcommands.Add(checkConfig);
        Cli.CliCommands.AddTo(root); // client verbs: node, port, enroll (src/Bifrost.Host/Cli)
        root.Subcommands.Add(Users.UserCommand.Create((r, verb, ct) => Guarded(r, config, verb, ct)));
        root.Subcommands.Add(Cli.RamdiskVerb.Create((r, verb, ct) => Guarded(r, config, verb, ct))); // bifrost ramdisk build

        root.SetAction((r, ct) => Guarded(r, config, (s, c) => ServeCommand.RunAsync(s, c), ct));
        serve.SetAction((r, ct) => Guarded(r, config, (s, c) => ServeCommand.RunAsync(s, c), ct));
        migrate.SetAction((r, ct) => Guarded(r, config, MigrateAsync, ct));
        checkConfig.SetAction((r, ct) => Guarded(r, config, CheckConfigAsync, ct));

        // The generic host handles SIGTERM/SIGINT itself; System.CommandLine must not race it.
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && Cli.CliCommands.IsClientVerb(parsed)) return Cli.CliCommands.ReportUsage(parsed);
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    /// <summary>Loads settings and runs a verb; a configuration problem is one line on stderr and exit code 2.</summary>
    private static async Task<int> Guarded(
        ParseResult result, Option<string?> config, Func<BifrostSettings, CancellationToken, Task<int>> verb,
        CancellationToken ct)
    {
        BifrostSettings settings;
        try
        {
            var (configuration, _) = ConfigLoader.Load(result.GetValue(config));
            settings = BifrostSettings.Load(configuration);
        }
        catch (ConfigError e)
        {
            await Console.Error.WriteLineAsync($"bifrost: invalid configuration: {e.Message}");
            return 2;
        }

        try
        {
            return await verb(settings, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException
                                      or Microsoft.Data.Sqlite.SqliteException)
        {
            await Console.Error.WriteLineAsync($"bifrost: {e.Message}");
            return 1;
        }
    }

    private static async Task<int> MigrateAsync(BifrostSettings settings, CancellationToken ct)
    {
        Directory.CreateDirectory(settings.StateDir);
        var r = await SqliteMigrator.MigrateAsync(settings.DatabasePath, ct);
        Console.WriteLine(r.From == r.To
            ? $"database {settings.DatabasePath}: schema version {r.To}, up to date"
            : $"database {settings.DatabasePath}: schema version {r.From} → {r.To}");
        return 0;
    }

    private static Task<int> CheckConfigAsync(BifrostSettings settings, CancellationToken ct)
    {
        Console.WriteLine("configuration OK");
        Console.WriteLine($"  Bifrost:StateDir   = {settings.StateDir}");
        Console.WriteLine($"  Bifrost:Api:Listen = {settings.Api.Listen}");
        Console.WriteLine($"  Bifrost:Dhcp:Mode  = {settings.Dhcp.Mode.ToString().ToLowerInvariant()}{(settings.Dhcp.Interface is { } nic ? $" on {nic}" : "")}");
        Console.WriteLine($"  Bifrost:Conductor:Host = {settings.Conductor.Host}");
        return Task.FromResult(0);
    }
}
