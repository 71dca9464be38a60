using System.Net;
using Microsoft.Extensions.Logging;

namespace Bifrost.Servers.Tftp;

/// <summary>TFTP server log events (ids 4100-4199).</summary>
internal static partial class Log
{
    [LoggerMessage(4100, LogLevel.Information, "TFTP listening on {Listen}, serving {Root}")]
    public static partial void Listening(ILogger log, IPEndPoint listen, string root);

    [LoggerMessage(4101, LogLevel.Debug, "TFTP: dropped a datagram from {Client}: {Reason}")]
    public static partial void Dropped(ILogger log, IPEndPoint client, string reason);

    [LoggerMessage(4102, LogLevel.Information, "TFTP: {Client} {Opcode} {File} refused: error {Code} {Message}")]
    public static partial void Refused(ILogger log, IPEndPoint client, string opcode, string file, int code, string message);

    [LoggerMessage(4103, LogLevel.Information, "TFTP: {Client} {Summary}")]
    public static partial void Completed(ILogger log, IPEndPoint client, string summary);

    [LoggerMessage(4104, LogLevel.Debug, "TFTP: {Client} {Summary}")]
    public static partial void Probe(ILogger log, IPEndPoint client, string summary);

    [LoggerMessage(4105, LogLevel.Warning, "TFTP: {Client} {Summary}")]
    public static partial void Failed(ILogger log, IPEndPoint client, string summary);

    [LoggerMessage(4106, LogLevel.Debug, "TFTP: receive on the request socket failed: {Error}")]
    public static partial void ReceiveError(ILogger log, string error);

    [LoggerMessage(4107, LogLevel.Error, "TFTP: transfer of {File} to {Client} crashed")]
    public static partial void Crashed(ILogger log, Exception ex, IPEndPoint client, string file);

    [LoggerMessage(4108, LogLevel.Debug, "TFTP: {Client} {File}: ignored a {Length}-byte datagram that is not an ACK or ERROR")]
    public static partial void Stray(ILogger log, IPEndPoint client, string file, int length);

    [LoggerMessage(4109, LogLevel.Critical, "TFTP: the request socket failed; the TFTP server stops")]
    public static partial void SocketFailed(ILogger log, Exception ex);
}
