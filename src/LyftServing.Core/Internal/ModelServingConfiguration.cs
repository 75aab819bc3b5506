using Microsoft.Extensions.Configuration;

namespace LyftServing.Internal;

/// <summary>The configuration section given to <c>AddModelServing(configuration)</c>.</summary>
internal sealed record ModelServingConfiguration(IConfiguration Section);

/// <summary>A settings type registered with <c>AddModelSettings</c>, bound from <c>Models:{name}:{SectionName}</c>.</summary>
internal sealed record ModelSettingsRegistration(string SectionName, Type SettingsType);
