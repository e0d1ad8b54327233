import { Text, View } from '@tarojs/components';

interface Props<K extends string> {
  value: K;
  items: Array<{ key: K; label: string }>;
  onChange(key: K): void;
}

export function Tabs<K extends string>({ value, items, onChange }: Props<K>) {
  return (
    <View className="tabs">
      {items.map((t) => (
        <View key={t.key} className={`tab ${t.key === value ? 'tab-active' : ''}`} onClick={() => onChange(t.key)}>
          <Text>{t.label}</Text>
        </View>
      ))}
    </View>
  );
}
