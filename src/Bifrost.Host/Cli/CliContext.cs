using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bifrost.Host.Cli;

/// <summary>
/// The options every client verb shares (<c>--url</c>, <c>--user</c>, <c>--password</c>, <c>--json</c>) and how a
/// verb runs: a <see cref="CliException"/> becomes one line on stderr and its exit code.
/// </summary>
internal sealed class CliOptions
{
    public const string DefaultUrl = "http://127.0.0.1:6385";

    public Option<string?> Url { get; } = new("--url")
    {
        Description = $"Bifrost API endpoint (default: $BIFROST_URL, else {DefaultUrl})", Recursive = true,
    };

    public Option<string?> User { get; } = new("--user")
    {
        Description = "API user for HTTP Basic authentication (default: $BIFROST_USER)", Recursive = true,
    };

    public Option<string?> Password { get; } = new("--password")
    {
        Description = "API password (default: $BIFROST_PASSWORD; prefer the variable: arguments show in ps)", Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print JSON for scripts instead of tables", Recursive = true,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Url);
        command.Options.Add(User);
        command.Options.Add(Password);
        command.Options.Add(Json);
    }

    /// <summary>Runs a verb with a client built from the options; maps failures to exit codes.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1068",
        Justification = "Called as SetAction((r, ct) => RunAsync(r, ct, verb)): the verb lambda reads best last.")]
    public async Task<int> RunAsync(ParseResult result, CancellationToken ct, Func<CliContext, Task<int>> verb)
    {
        var url = result.GetValue(Url) ?? Environment.GetEnvironmentVariable("BIFROST_URL") ?? DefaultUrl;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseUri) || (baseUri.Scheme != "http" && baseUri.Scheme != "https"))
        {
            await Console.Error.WriteLineAsync($"bifrost: --url '{url}' is not an http(s) URL");
            return ExitCodes.Usage;
        }
        var user = result.GetValue(User) ?? Environment.GetEnvironmentVariable("BIFROST_USER");
        var password = result.GetValue(Password) ?? Environment.GetEnvironmentVariable("BIFROST_PASSWORD");
        using var client = new BifrostClient(baseUri, user, password, TimeSpan.FromSeconds(60));
        var context = new CliContext(client, result.GetValue(Json), Console.Out, ct);
        try
        {
            return await verb(context);
        }
        catch (CliException e)
        {
            await Console.Error.WriteLineAsync($"bifrost: {e.Message}");
            return e.Code;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("bifrost: interrupted");
            return 130;
        }
    }
}

/// <summary>What a running verb needs: the client, the output mode and the output.</summary>
internal sealed record CliContext(BifrostClient Client, bool Json, TextWriter Out, CancellationToken Ct)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Live progress only on a terminal; a pipe or file gets one plain line per change.</summary>
    public bool IsTerminal => !Console.IsOutputRedirected;

    public void WriteJson(JsonNode? node) => Out.WriteLine(node?.ToJsonString(Indented) ?? "null");
}
