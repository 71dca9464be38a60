using Microsoft.Extensions.Logging;

namespace Bifrost.Servers.HttpBoot;

internal static partial class Log
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "boot script for {Mac} ({Node}): {Plan}")]
    public static partial void Script(ILogger logger, string mac, string node, string plan);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "boot script for {Mac} ({Node}): {Plan}")]
    public static partial void ScriptError(ILogger logger, string mac, string node, string plan);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Debug, Message = "{Method} {Path} from {Client} → {Status}")]
    public static partial void File(ILogger logger, string method, string path, string client, int status);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Debug, Message = "{Method} {Path} from {Client} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string method, string path, string client, string reason);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Debug, Message = "GET {Path} to {Client} by sendfile cut short: {Reason}")]
    public static partial void SendfileFailed(ILogger logger, string path, string client, string reason);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "iPXE: installed {File} into {Dir}")]
    public static partial void Installed(ILogger logger, string file, string dir);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Warning,
        Message = "iPXE: no binaries in {Source} (Debian package ipxe): PXE clients cannot chain into iPXE until {Dir} has them")]
    public static partial void NoSource(ILogger logger, string source, string dir);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Warning, Message = "iPXE: could not install {File} into {Dir}: {Error}")]
    public static partial void InstallFailed(ILogger logger, string file, string dir, string error);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Information,
        Message = "iPXE: keeping {File} in {Dir}: it is not the copy Bifrost installed (an operator's own build?)")]
    public static partial void KeptOwn(ILogger logger, string file, string dir);
}
