namespace Bifrost.Host.Cli;

/// <summary>
/// The client verbs' exit codes. Scripts rely on them: never renumber one (README lists them).
/// </summary>
public static class ExitCodes
{
    /// <summary>Done; with --wait, the node reached the state asked for.</summary>
    public const int Ok = 0;
    /// <summary>The API refused or failed the request (4xx other than 401/403/404, 5xx); the message is Ironic's.</summary>
    public const int ApiError = 1;
    /// <summary>Bad command line or input file (unknown verb, missing argument, unreadable inventory).</summary>
    public const int Usage = 2;
    /// <summary>The node, port or other resource does not exist (HTTP 404).</summary>
    public const int NotFound = 3;
    /// <summary>--wait saw the node reach a failure state (deploy failed, clean failed, error, ...).</summary>
    public const int FailedState = 4;
    /// <summary>--wait gave up after --timeout seconds; the operation may still finish.</summary>
    public const int Timeout = 5;
    /// <summary>The API could not be reached (connection refused, unknown host, no answer).</summary>
    public const int Unreachable = 6;
    /// <summary>The API rejected the credentials (HTTP 401 or 403).</summary>
    public const int AuthFailed = 7;
}

/// <summary>A client verb failed; <see cref="Code"/> is the process exit code.</summary>
public sealed class CliException(int code, string message) : Exception(message)
{
    public int Code { get; } = code;
}
