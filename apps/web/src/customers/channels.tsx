import { Group, ThemeIcon, Tooltip } from '@mantine/core';
import {
  type Icon,
  IconBuildingStore,
  IconBuildingWarehouse,
  IconCircleDot,
  IconDeviceMobile,
  IconFileImport,
  IconHeartHandshake,
  IconMail,
  IconMailbox,
  IconMessage,
  IconPhone,
  IconShare,
  IconShoppingCart,
  IconWorld,
} from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

/** The channel types a source can have (the server's CHANNELS). */
export const CHANNELS = [
  'web',
  'mobile',
  'store',
  'ecommerce',
  'marketplace',
  'email',
  'sms',
  'social',
  'phone',
  'direct_mail',
  'partner',
  'import',
] as const;
export type Channel = (typeof CHANNELS)[number];

const ICONS: Record<Channel, Icon> = {
  web: IconWorld,
  mobile: IconDeviceMobile,
  store: IconBuildingStore,
  ecommerce: IconShoppingCart,
  marketplace: IconBuildingWarehouse,
  email: IconMail,
  sms: IconMessage,
  social: IconShare,
  phone: IconPhone,
  direct_mail: IconMailbox,
  partner: IconHeartHandshake,
  import: IconFileImport,
};

const isChannel = (c: string): c is Channel => (CHANNELS as readonly string[]).includes(c);

/** The translated name of a channel (an unknown one shows as it is). */
export function useChannelLabel() {
  const { t } = useTranslation();
  return (channel: string) => (isChannel(channel) ? t(`customers.channels.${channel}`) : channel);
}

/** A channel's icon with its name as tooltip and accessible name. */
export function ChannelIcon({ channel, size = 'md' }: { channel: string; size?: 'sm' | 'md' | 'lg' }) {
  const label = useChannelLabel()(channel);
  const Glyph = isChannel(channel) ? ICONS[channel] : IconCircleDot;
  const px = size === 'sm' ? 14 : size === 'md' ? 16 : 20;
  return (
    <Tooltip label={label} withArrow openDelay={200}>
      <ThemeIcon variant="light" size={size} radius="xl" role="img" aria-label={label}>
        <Glyph size={px} stroke={1.6} aria-hidden />
      </ThemeIcon>
    </Tooltip>
  );
}

/** Every channel a customer was seen on, as icons. */
export function ChannelIcons({ channels, size }: { channels: string[]; size?: 'sm' | 'md' | 'lg' }) {
  if (channels.length === 0) return null;
  return (
    <Group gap={4} wrap="nowrap">
      {channels.map((c) => (
        <ChannelIcon key={c} channel={c} size={size} />
      ))}
    </Group>
  );
}
