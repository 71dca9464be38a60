using System.CommandLine;

namespace Bifrost.Host.Cli;

/// <summary>
/// The client verbs of the <c>bifrost</c> executable: <c>node</c>, <c>port</c>, <c>enroll</c>. They talk to a running
/// Bifrost over its REST API (like the <c>baremetal</c> CLI, with Bifrost's extras: --wait progress, enroll, timeline).
/// </summary>
public static class CliCommands
{
    private static readonly string[] Verbs = ["node", "port", "enroll"];

    public static void AddTo(RootCommand root)
    {
        var options = new CliOptions();
        root.Subcommands.Add(NodeVerbs.Create(options));
        root.Subcommands.Add(PortVerbs.Create(options));
        root.Subcommands.Add(EnrollVerb.Create(options));
    }

    /// <summary>True when the command line names a client verb: its usage errors exit with <see cref="ExitCodes.Usage"/>.</summary>
    public static bool IsClientVerb(ParseResult result)
    {
        for (var c = result.CommandResult; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult)
            if (Verbs.Contains(c.Command.Name, StringComparer.Ordinal)) return true;
        return false;
    }

    /// <summary>Usage errors of client verbs: the parser's messages on stderr and exit code 2 (the parser's default is 1,
    /// which scripts must be able to tell apart from an API error).</summary>
    public static int ReportUsage(ParseResult result)
    {
        foreach (var error in result.Errors) Console.Error.WriteLine($"bifrost: {error.Message}");
        Console.Error.WriteLine("bifrost: see 'bifrost --help'");
        return ExitCodes.Usage;
    }
}
