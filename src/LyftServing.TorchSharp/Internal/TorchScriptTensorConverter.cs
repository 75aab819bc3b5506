using System.ComponentModel;
using System.Globalization;

namespace LyftServing.TorchSharp.Internal;

/// <summary>Binds a declaration given as a plain string (<c>"outputs": ["score"]</c>) as a <see cref="TorchScriptTensor"/> with that name.</summary>
internal sealed class TorchScriptTensorConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string name ? new TorchScriptTensor { Name = name } : base.ConvertFrom(context, culture, value);
}
