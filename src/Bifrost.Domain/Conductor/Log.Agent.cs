using Microsoft.Extensions.Logging;

namespace Bifrost.Domain.Conductor;

/// <summary>Agent protocol log events (11xx). Never pass a token, or instance_info (it may hold a config drive).</summary>
internal static partial class Log
{
    [LoggerMessage(1100, LogLevel.Warning, "agent lookup from {Client} refused ({Outcome}): {Detail}")]
    public static partial void LookupRefused(ILogger log, string client, string outcome, string detail);

    [LoggerMessage(1101, LogLevel.Information, "node {Node}: agent lookup from {Client}, token {What}")]
    public static partial void LookupAccepted(ILogger log, string node, string client, string what);

    [LoggerMessage(1102, LogLevel.Warning, "heartbeat for {Node} from {Client} refused ({Outcome}): {Detail}")]
    public static partial void HeartbeatRefused(ILogger log, string node, string client, string outcome, string detail);

    [LoggerMessage(1103, LogLevel.Information, "node {Node}: agent command {Command} ({Id}) issued")]
    public static partial void CommandIssued(ILogger log, string node, string command, string id);

    [LoggerMessage(1104, LogLevel.Warning, "node {Node}: agent step {Step} failed: {Message}")]
    public static partial void AgentStepFailed(ILogger log, string node, string step, string message);

    [LoggerMessage(1105, LogLevel.Warning, "node {Node}: could not power off after a failure: {Error}")]
    public static partial void PowerOffAfterFailureFailed(ILogger log, string node, string error);

    [LoggerMessage(1106, LogLevel.Debug, "node {Node}: heartbeat from {Client}, command {Id} {Status}")]
    public static partial void Heartbeat(ILogger log, string node, string client, string id, string status);
}
