import { Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { StateView } from '../../components/state-view';
import { useCustomerSearch } from '../../hooks/use-customer-search';
import { go, ROUTES } from '../../platform/ui';
import { customers, session } from '../../services';

/** Search: one box (name, company, pinyin, initials, phone), debounced; recent customers while empty. */
export default function SearchPage() {
  const [input, setInput] = useState('');
  const view = useCustomerSearch(input, customers);
  const manager = session.isManager();
  const canWrite = session.can('record.write');
  const me = session.user();
  const switchUser = () => {
    session.signOut();
    void Taro.redirectTo({ url: ROUTES.login });
  };

  return (
    <View className="page search">
      {me ? (
        <View className="whoami row between">
          <Text className="muted small whoami-name">
            当前：{me.name}
            {me.title ? ` · ${me.title}` : ''}
          </Text>
          {session.isDemo() ? (
            <Text className="link small switch-user" onClick={switchUser}>
              切换用户
            </Text>
          ) : null}
        </View>
      ) : null}
      <View className="search-bar">
        <Input
          className="input search-input"
          type="text"
          confirmType="search"
          placeholder="搜索客户：姓名、公司、拼音、首字母、电话"
          value={input}
          onInput={(e) => setInput(e.detail.value)}
        />
      </View>
      <View className="shortcuts">
        <View className="shortcut" onClick={() => go(ROUTES.reminders)}>
          <Text>我的提醒</Text>
        </View>
        <View className="shortcut" onClick={() => go(ROUTES.approvals)}>
          <Text>我的审批</Text>
        </View>
        {canWrite ? (
          <View className="shortcut" onClick={() => go(ROUTES.createCustomer)}>
            <Text>新建客户</Text>
          </View>
        ) : null}
        {manager ? (
          <View className="shortcut" onClick={() => go(ROUTES.manager)}>
            <Text>团队</Text>
          </View>
        ) : null}
      </View>
      <Text className="section-title">{view.mode === 'recent' ? '最近客户' : `“${view.query}”的搜索结果`}</Text>
      <StateView
        state={view.state}
        error={view.error}
        onRetry={view.reload}
        empty={view.items.length === 0}
        emptyText={view.mode === 'recent' ? '还没有最近查看的客户，输入关键字搜索' : '没有找到匹配的客户，换个关键字试试'}
        loadingText={view.mode === 'recent' ? '加载中…' : '搜索中…'}
      >
        <View className="list">
          {view.items.map((c) => (
            <View key={c.id} className="list-item customer-item" onClick={() => go(ROUTES.customer(c.id))}>
              <View className="row">
                <Text className={`tier ${c.tierClass}`}>{c.tier}</Text>
                <Text className="item-title">{c.name}</Text>
                {c.company ? <Text className="muted ellipsis">{c.company}</Text> : null}
              </View>
              <View className="row muted small">
                <Text>负责人 {c.owner}</Text>
                <Text className="dot">·</Text>
                <Text>{c.lastContact}</Text>
              </View>
            </View>
          ))}
        </View>
      </StateView>
    </View>
  );
}
