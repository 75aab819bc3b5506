using System.Reflection;
using LyftServing.OnnxRuntime.Internal;
using Microsoft.Extensions.Logging;

namespace LyftServing.OnnxRuntime.Tests.Internal;

public sealed class EventIdsTests
{
    [Fact]
    public void LogMessages_EventIds_AreUniqueAndInTheRuntimeRange()
    {
        var ids = typeof(Log).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .Select(a => a.EventId)
            .ToArray();

        Assert.NotEmpty(ids);
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.All(ids, id => Assert.InRange(id, 4000, 4099));
    }
}
