using Microsoft.Extensions.Logging;

namespace Bifrost.Bmc.Ipmi;

internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "{Bmc}: dropped a datagram: {Reason}")]
    public static partial void Dropped(ILogger logger, string bmc, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "{Bmc}: session 0x{SessionId:x8} open (cipher suite {Suite}, privilege {Privilege})")]
    public static partial void SessionOpened(ILogger logger, string bmc, uint sessionId, int suite, string privilege);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "{Bmc}: session 0x{SessionId:x8} closed ({Why})")]
    public static partial void SessionClosed(ILogger logger, string bmc, uint sessionId, string why);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "{Bmc}: using cipher suite {Suite} ({How})")]
    public static partial void SuiteChosen(ILogger logger, string bmc, int suite, string how);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "{Bmc}: no answer to attempt {Attempt} of {What}; sending again")]
    public static partial void Retry(ILogger logger, string bmc, int attempt, string what);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Debug, Message = "{Bmc}: command failed on a reused session, opening a new one: {Reason}")]
    public static partial void Reopen(ILogger logger, string bmc, string reason);
}
